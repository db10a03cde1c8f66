// castwright's site script: small enhancements over pages that work without it. Every play link
// is a plain link to the audio file and every copy button starts hidden, so a reader without
// JavaScript loses nothing but the conveniences.
(function () {
  'use strict';

  // One episode at a time: starting any player pauses the others.
  document.addEventListener(
    'play',
    function (event) {
      var players = document.querySelectorAll('audio');
      for (var i = 0; i < players.length; i++) if (players[i] !== event.target) players[i].pause();
    },
    true,
  );

  // A play link becomes a player in its place, started by the reader's own click (never autoplay).
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[data-play]') : null;
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    var audio = document.createElement('audio');
    audio.controls = true;
    audio.preload = 'none';
    audio.src = link.getAttribute('href');
    audio.setAttribute('aria-label', link.getAttribute('aria-label') || link.textContent);
    audio.className = 'inline-player';
    link.replaceWith(audio);
    audio.focus();
    var started = audio.play();
    if (started && started.catch) started.catch(function () {});
  });

  // Copy buttons: shown only where the clipboard can be written.
  var copyButtons = document.querySelectorAll('button[data-copy]');
  if (!navigator.clipboard || !window.isSecureContext) return;
  for (var j = 0; j < copyButtons.length; j++) {
    var button = copyButtons[j];
    button.hidden = false;
    button.addEventListener('click', function (event) {
      var target = event.currentTarget;
      var status = document.getElementById(target.getAttribute('aria-describedby') || '');
      navigator.clipboard.writeText(target.getAttribute('data-copy')).then(
        function () {
          if (status) status.textContent = 'Copied';
        },
        function () {
          if (status) status.textContent = 'Could not copy: select the text and copy it';
        },
      );
    });
  }
})();
