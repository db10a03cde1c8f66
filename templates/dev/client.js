// castwright preview client: reloads the page after a rebuild and shows content problems in an
// overlay. Injected into preview pages only; never part of a build.
(() => {
  const script = document.currentScript;
  const pageVersion = Number(script && script.dataset.version);
  let overlay = null;

  function hide() {
    if (overlay) overlay.remove();
    overlay = null;
  }

  /** A list of lines, each shown as written (never as HTML). */
  function lineList(lines, className, gap) {
    const list = document.createElement('ul');
    list.style.cssText = 'margin:0;padding-left:1.2rem;';
    for (const line of lines) {
      const item = document.createElement('li');
      item.className = className;
      item.style.cssText = `margin-bottom:${gap};white-space:pre-wrap;overflow-wrap:anywhere;`;
      item.textContent = line;
      list.append(item);
    }
    return list;
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
    const list = lineList(problems, 'castwright-problem', '0.6rem');
    const note = document.createElement('p');
    note.style.cssText = 'margin-top:1.5rem;font-family:system-ui,sans-serif;color:#aaa39a;';
    note.textContent = 'Save a fix and this page updates by itself.';
    overlay.append(title, list, note);
    document.body.append(overlay);
  }

  // What `castwright check` says of the build shown: a small panel that never blocks the page.
  let panel = null;
  function showFindings(findings) {
    if (panel) panel.remove();
    panel = null;
    if (!findings || findings.length === 0) return;
    panel = document.createElement('details');
    panel.id = 'castwright-findings';
    panel.style.cssText =
      'position:fixed;right:1rem;bottom:1rem;z-index:2147483646;max-width:min(42rem,calc(100vw - 2rem));max-height:50vh;overflow:auto;' +
      'padding:0.6rem 0.9rem;border-radius:8px;background:#1c1b1a;color:#f3efe8;font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;' +
      'box-shadow:0 4px 16px rgba(0,0,0,0.3);';
    const errors = findings.filter((finding) => finding.severity === 'error').length;
    const summary = document.createElement('summary');
    summary.style.cssText = `cursor:pointer;font:600 13px/1.4 system-ui,sans-serif;color:${errors ? '#ff8f8f' : '#f5c46b'};`;
    const warnings = findings.length - errors;
    const count = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
    summary.textContent = `castwright check: ${[errors ? count(errors, 'error') : '', warnings ? count(warnings, 'warning') : ''].filter(Boolean).join(', ')}`;
    const list = lineList(findings.map((finding) => finding.text), 'castwright-finding', '0.4rem');
    list.style.marginTop = '0.5rem';
    panel.append(summary, list);
    document.body.append(panel);
  }

  const events = new EventSource('/__castwright/events');
  events.addEventListener('state', (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length > 0) show(state.problems);
    else if (state.version !== pageVersion) location.reload();
    else {
      hide();
      showFindings(state.findings);
    }
  });
})();
