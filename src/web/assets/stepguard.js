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

// MFA enrolment: copy a key or the backup codes, print the codes, and hold "send another code" for the
// API's wait. The buttons that need this script are `hidden` in the page and shown only here.
document.addEventListener('DOMContentLoaded', () => {
  const say = (button, words) => {
    const status = button.parentElement && button.parentElement.querySelector('.copied');
    if (status) status.textContent = words;
  };
  const copy = (button, text) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(text()).then(
        () => say(button, 'Copied.'),
        () => say(button, 'Could not copy: select the text and copy it instead.'),
      );
    });
  };
  for (const button of document.querySelectorAll('button[data-copy]')) {
    copy(button, () => button.getAttribute('data-copy') || '');
  }
  for (const button of document.querySelectorAll('button[data-copy-from]')) {
    const list = document.getElementById(button.getAttribute('data-copy-from') || '');
    if (!list) continue;
    copy(button, () =>
      Array.from(list.querySelectorAll('code'))
        .map((code) => code.textContent)
        .join('\n'),
    );
  }
  for (const button of document.querySelectorAll('button[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
  for (const button of document.querySelectorAll('button[data-wait-seconds]')) {
    let left = Number(button.getAttribute('data-wait-seconds')) || 0;
    if (left <= 0) continue;
    const label = button.textContent;
    const tick = () => {
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.textContent = `${label} (in ${left} s)`;
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }
});
