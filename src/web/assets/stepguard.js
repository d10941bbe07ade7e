// Enhancements only: every page works without this file.
document.addEventListener('DOMContentLoaded', () => {
  // After a refused form, move focus to what went wrong so that keyboard and screen-reader users hear it.
  const error = document.getElementById('form-error');
  if (error) error.focus();
});

// Buttons that need a script are `hidden` in the page and shown here.
document.addEventListener('DOMContentLoaded', () => {
  // Copy: `data-copy-text` carries the text; `data-copy` names an element: a field's value, or the <code>
  // items of a list one per line. What happened is said in the `[data-copy-status]` beside the button.
  const textOf = (button) => {
    if (button.hasAttribute('data-copy-text')) return button.getAttribute('data-copy-text');
    const source = document.getElementById(button.getAttribute('data-copy') || '');
    if (!source) return null;
    if ('value' in source) return source.value;
    return [...source.querySelectorAll('code')].map((code) => code.textContent.trim()).join('\n') + '\n';
  };
  for (const button of document.querySelectorAll('button[data-copy], button[data-copy-text]')) {
    const text = textOf(button);
    if (text === null || !navigator.clipboard) continue;
    const status = button.parentElement && button.parentElement.querySelector('[data-copy-status]');
    const say = (words) => status && (status.textContent = words);
    button.hidden = false;
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(text).then(
        () => say('Copied.'),
        () => say('Could not copy: select the text and copy it yourself.'),
      );
    });
  }
  for (const button of document.querySelectorAll('button[data-print]')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }

  // "Send another code" waits out the server's interval, counting down.
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

  // A code field's keyboard follows the chosen method (backup codes have letters).
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

// Live: a signed-in page holds a socket on its own session (the page cookie, same origin), so that a
// revocation or a Disconnect elsewhere shows here at once instead of at the next click. The event names and
// refusal codes are the gateway's contract (src/live/socket-events.ts).
document.addEventListener('DOMContentLoaded', () => {
  if (!document.body.hasAttribute('data-live') || typeof window.io !== 'function') return;
  const socket = window.io({ path: '/socket.io', transports: ['websocket'] });
  let told = null;
  const main = document.getElementById('main');
  const say = (id, text, link, label) => {
    if (document.getElementById(id)) return;
    const box = document.createElement('div');
    box.id = id;
    box.className = 'live-notice';
    box.setAttribute('role', 'alert');
    box.append(text + ' ');
    const a = document.createElement('a');
    a.href = link;
    a.textContent = label;
    box.append(a);
    main.prepend(box);
  };
  const signedOut = () => {
    document.body.setAttribute('data-live', 'signed-out');
    say(
      'live-signed-out',
      'You were signed out: this session was ended from another device, by an administrator, or it expired.',
      '/account/sign-in',
      'Sign in again',
    );
  };
  socket.on('stepguard:session_revoked', ({ reason }) => (told = { kind: 'revoked', reason }));
  socket.on('stepguard:step_up_required', ({ reason }) => (told = { kind: 'step_up', reason }));
  socket.on('connect', () => document.body.setAttribute('data-live', 'connected'));
  socket.on('disconnect', (why) => {
    const event = told;
    told = null;
    if (event && event.kind === 'step_up') {
      document.body.setAttribute('data-live', 'step-up');
      say(
        'live-step-up',
        'Your organisation asks you to verify it is you before you go on.',
        `/account/step-up?next=${encodeURIComponent(location.pathname)}`,
        'Verify it is you',
      );
    } else if (event && event.reason === 'token_replaced') {
      // A step-up in another tab gave this session a new token, which the cookie already holds.
      socket.connect();
    } else if (event && event.reason === 'mfa_enrollment_required') {
      // Only the client app's connection is closed to this user; the pages go on working.
      document.body.setAttribute('data-live', 'off');
    } else if (event || why === 'io server disconnect') {
      signedOut();
    }
  });
  socket.on('connect_error', (error) => {
    if (socket.active) return; // the network: socket.io tries again by itself
    if (error.message === 'unauthorized') signedOut();
    else if (error.message === 'unavailable') setTimeout(() => socket.connect(), 5000);
    else document.body.setAttribute('data-live', 'off');
  });
});

// Passkeys: the one thing the pages cannot do without a script. A `[data-passkey]` box names its ceremony
// ("register" with `data-options`, or "sign" fetching them from `data-options-url` with the form's fields),
// and the id of the form that carries the browser's answer in its `credential` field to the server. Its
// notice that passkeys need a script stays unless this browser can run the ceremony.
document.addEventListener('DOMContentLoaded', () => {
  const webauthn = window.SimpleWebAuthnBrowser;
  for (const box of document.querySelectorAll('[data-passkey]')) {
    const form = document.getElementById(box.getAttribute('data-form') || '');
    const button = box.querySelector('[data-passkey-start]');
    const status = box.querySelector('[data-passkey-status]');
    if (!webauthn || !webauthn.browserSupportsWebAuthn() || !form || !button || !status) continue;
    const words = (name) => box.getAttribute(`data-words-${name}`) || '';
    const say = (text) => (status.textContent = text);
    const field = (name) => form.querySelector(`input[name="${name}"]`);
    box.querySelector('[data-passkey-unsupported]').hidden = true;
    button.hidden = false;

    const options = async () => {
      if (box.hasAttribute('data-options')) return JSON.parse(box.getAttribute('data-options'));
      const response = await fetch(box.getAttribute('data-options-url'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
        // The form's own fields (its token; the organisation of a sign-in without password), not the answer.
        body: new URLSearchParams([...new FormData(form)].filter(([name]) => name !== 'credential')),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok || !answer.options) throw Object.assign(new Error('refused'), { words: answer.error });
      return answer.options;
    };

    button.addEventListener('click', async () => {
      button.disabled = true;
      say(words('waiting'));
      try {
        const optionsJSON = await options();
        const credential =
          box.getAttribute('data-passkey') === 'register'
            ? await webauthn.startRegistration({ optionsJSON })
            : await webauthn.startAuthentication({ optionsJSON });
        field('credential').value = JSON.stringify(credential);
        form.submit();
      } catch (error) {
        button.disabled = false;
        const name = (error && error.cause && error.cause.name) || (error && error.name);
        const closed = name === 'NotAllowedError' || name === 'AbortError';
        say((error && error.words) || words(closed ? 'cancelled' : 'failed'));
        button.focus();
      }
    });
  }
});
