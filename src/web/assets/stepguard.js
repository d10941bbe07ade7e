// Enhancements only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused form, move focus to what went wrong so that keyboard and screen-reader users hear it.
  const error = document.getElementById('form-error');
  if (error) error.focus();
});

// Admin console: API keys (copy the new key; the code field's keyboard follows the chosen method).
document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('[data-copy]')) {
    const field = document.getElementById(button.getAttribute('data-copy'));
    const status = document.querySelector('[data-copy-status]');
    if (!field) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = 'Copied to the clipboard.';
      } catch {
        field.select();
        if (status) status.textContent = 'Select the key and copy it.';
      }
    });
  }
  const code = document.querySelector('[data-code-field]');
  if (code) {
    for (const radio of document.querySelectorAll('input[type=radio][name=method]')) {
      radio.addEventListener('change', () => {
        if (radio.value === 'backup_code') code.removeAttribute('inputmode');
        else code.setAttribute('inputmode', 'numeric');
      });
    }
  }
});
