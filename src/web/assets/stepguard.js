// Enhancements only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused form, move focus to what went wrong so that keyboard and screen-reader users hear it.
  const error = document.getElementById('form-error');
  if (error) error.focus();
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
