// Timestamps on an episode page seek its player rather than open the audio file at that time (what
// the link's #t= media fragment does without this script). A modified click keeps the link's own way.
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('a[data-seek]') : null;
  const player = document.querySelector('audio');
  if (!link || !player || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const seconds = Number(link.getAttribute('data-seek'));
  if (!Number.isFinite(seconds) || seconds < 0) return;
  event.preventDefault();
  const seek = () => {
    player.currentTime = seconds;
  };
  // A player that has loaded nothing yet (preload="none") takes the time once it knows the length.
  if (player.readyState >= 1) seek();
  else player.addEventListener('loadedmetadata', seek, { once: true });
  player.play().catch(() => {});
  player.focus();
});
