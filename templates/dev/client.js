// castwright preview client: reloads the page after a rebuild, shows content problems in an
// overlay over the page, and warnings and check's findings in a panel beside it (the page stays
// usable). Injected into preview pages only; never part of a build.
(() => {
  const script = document.currentScript;
  const pageVersion = Number(script && script.dataset.version);
  let overlay = null;
  let panel = null;
  let dismissed = '';

  /** Messages as written (file:line: …), one per item, wrapped however long. */
  function messageList(messages, className, gap) {
    const list = document.createElement('ul');
    list.style.cssText = 'margin:0;padding-left:1.2rem;';
    for (const message of messages) {
      const item = document.createElement('li');
      item.className = className;
      item.style.cssText = `margin-bottom:${gap};white-space:pre-wrap;overflow-wrap:anywhere;`;
      item.textContent = message;
      list.append(item);
    }
    return list;
  }

  function hideWarnings() {
    if (panel) panel.remove();
    panel = null;
  }

  // The build's warnings and what `castwright check` says of it (errors included: they do not stop
  // the preview), each as { text, severity }.
  function showWarnings(warnings) {
    hideWarnings();
    const key = warnings.map((warning) => warning.text).join('\n');
    // Hidden by the reader until the warnings change.
    if (warnings.length === 0 || dismissed === key) return;
    const errors = warnings.filter((warning) => warning.severity === 'error').length;
    const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    panel = document.createElement('aside');
    panel.id = 'castwright-warnings';
    panel.setAttribute('role', 'status');
    panel.setAttribute('aria-label', 'castwright warnings');
    panel.style.cssText =
      'position:fixed;right:1rem;bottom:1rem;z-index:2147483646;max-width:min(36rem,calc(100vw - 2rem));max-height:40vh;' +
      `overflow:auto;padding:0.8rem 1rem;border-radius:6px;background:#2b2410;color:#f6e7b0;border:1px solid ${errors ? '#c0504d' : '#a8842a'};` +
      'box-shadow:0 4px 16px rgba(0,0,0,0.3);font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;';
    const title = document.createElement('strong');
    title.className = 'castwright-warnings-title';
    title.style.cssText = `display:block;margin-bottom:0.4rem;font:700 14px/1.3 system-ui,sans-serif;color:${errors ? '#ff8f8f' : '#ffd36b'};`;
    const warned = warnings.length - errors;
    title.textContent = `${[errors ? count(errors, 'error') : '', warned ? count(warned, 'warning') : ''].filter(Boolean).join(' and ')} (the build went on)`;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Hide';
    close.style.cssText = 'float:right;margin-left:1rem;font:12px system-ui,sans-serif;cursor:pointer;';
    close.addEventListener('click', () => {
      dismissed = key;
      hideWarnings();
    });
    const list = messageList(warnings.map((warning) => warning.text), 'castwright-warning', '0.4rem');
    warnings.forEach((warning, index) => {
      if (warning.severity === 'error') list.children[index].style.color = '#ff8f8f';
    });
    panel.append(close, title, list);
    document.body.append(panel);
  }

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  function show(problems) {
    hide();
    overlay = document.createElement('div');
    overlay.id = 'castwright-overlay';
    overlay.setAttribute('role', 'alertdialog');
    overlay.setAttribute('aria-labelledby', 'castwright-overlay-title');
    overlay.style.cssText =
      'position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;background:rgba(20,18,17,0.94);' +
      'color:#f3efe8;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;';
    const title = document.createElement('h2');
    title.id = 'castwright-overlay-title';
    title.style.cssText = 'margin:0 0 1rem;font:700 18px/1.3 system-ui,sans-serif;color:#ff8f8f;';
    title.textContent = `${problems.length} problem${problems.length === 1 ? '' : 's'}: showing the last good build`;
    const list = messageList(problems, 'castwright-problem', '0.6rem');
    const note = document.createElement('p');
    note.style.cssText = 'margin-top:1.5rem;font-family:system-ui,sans-serif;color:#aaa39a;';
    note.textContent = 'Save a fix and this page updates by itself.';
    overlay.append(title, list, note);
    document.body.append(overlay);
  }

  const events = new EventSource('/__castwright/events');
  events.addEventListener('state', (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length > 0) {
      hideWarnings();
      show(state.problems);
    } else if (state.version !== pageVersion) location.reload();
    else {
      hide();
      showWarnings(state.warnings || []);
    }
  });
})();
