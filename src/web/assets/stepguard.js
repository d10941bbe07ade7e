// Enhancements only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused form, move focus to what went wrong so that keyboard and screen-reader users hear it.
  const error = document.getElementById('form-error');
  if (error) error.focus();
});
