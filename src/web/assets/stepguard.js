// Enhancements only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused form, move focus to what went wrong so that keyboard and screen-reader users hear it.
  const error = document.getElementById('form-error');
  if (error) error.focus();
});

// --- Account security pages: new backup codes (Copy, Print) and the MFA-reset link's token ---
document.addEventListener('DOMContentLoaded', () => {
  // The buttons only work with a script, so they stay hidden without one (the Download link needs none).
  for (const button of document.querySelectorAll('[data-copy-codes]')) {
    const list = document.getElementById(button.getAttribute('data-copy-codes'));
    const status = document.querySelector('[data-copy-status]');
    if (!list || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const codes = [...list.querySelectorAll('code')].map((code) => code.textContent.trim());
      try {
        await navigator.clipboard.writeText(codes.join('\n') + '\n');
        if (status) status.textContent = 'Copied.';
      } catch {
        if (status) status.textContent = 'Copying failed: select the codes and copy them yourself.';
      }
    });
  }
  for (const button of document.querySelectorAll('[data-print-page]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }

  // The reset link carries its token in the fragment, which no server ever receives: move it into the
  // form, hide the paste field it fills, and take it out of the address bar and this history entry.
  const reset = document.querySelector('[data-mfa-reset-token]');
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (reset && token) {
    reset.value = token;
    const field = reset.closest('[data-mfa-reset-paste]');
    if (field) field.hidden = true;
    history.replaceState(null, '', location.pathname);
  }
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
