// SPDX-License-Identifier: GPL-3.0-or-later
// The self-registration page. Every text from the server or the user is inserted with
// textContent; the private key is read with FileReader, imported with Web Crypto, used once and
// never sent.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  let current = null; // {challenge, message, phone, namespace}
  let pin = '';
  let pollTimer = null;
  let countdownTimer = null;

  function showError(text) {
    const box = $('error');
    box.textContent = text;
    box.hidden = !text;
    if (text) box.scrollIntoView({ block: 'nearest' });
  }

  function show(step) {
    for (const id of ['step-details', 'step-proof', 'step-call']) $(id).hidden = id !== step;
  }

  function busy(on) {
    for (const id of ['details-submit', 'sign-browser', 'submit-pasted']) $(id).disabled = on;
  }

  async function post(path, object) {
    let response;
    try {
      response = await fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(object),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (e) {
      throw new Error('The server could not be reached. Check your connection and try again.');
    }
    let body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    if (!response.ok) {
      const error = new Error(typeof body.message === 'string' ? body.message
                                                              : 'The request failed.');
      error.code = typeof body.error === 'string' ? body.error : 'error';
      throw error;
    }
    return body;
  }

  function readFile(input) {
    return new Promise((resolve, reject) => {
      const file = input.files && input.files[0];
      if (!file) { reject(new Error('')); return; }
      if (file.size > 16384) { reject(new Error('That file is too large for a PEM file.')); return; }
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.onerror = () => reject(new Error('The file could not be read.'));
      reader.readAsText(file);
    });
  }

  function pemBody(text, label) {
    const re = new RegExp('-----BEGIN ' + label + '-----([A-Za-z0-9+/=\\s]+)-----END ' + label + '-----');
    const match = re.exec(text);
    if (!match) return null;
    const binary = atob(match[1].replace(/\s+/g, ''));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; ++i) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }

  function shellQuote(text) {
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function countdown(element, seconds, prefix) {
    const end = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      const m = Math.floor(left / 60);
      const s = String(left % 60).padStart(2, '0');
      element.textContent = prefix + m + ':' + s;
      return left;
    };
    tick();
    return setInterval(() => { if (tick() === 0) clearInterval(countdownTimer); }, 1000);
  }

  function restart() {
    clearInterval(pollTimer);
    clearInterval(countdownTimer);
    current = null;
    $('signature').value = '';
    $('key-file').value = '';
    showError('');
    show('step-details');
  }

  // Asks for a challenge and shows the message to sign and the openssl commands.
  async function fetchChallenge(nameSpace, phone) {
    const answer = await post('/register/challenge', { namespace: nameSpace, phone: phone });
    current = answer;
    $('signature').value = '';
    $('message').textContent = answer.message;
    $('cmd-message').textContent = 'printf \'kevan-tel registration v1\\n%s\\n%s\\n%s\' ' +
        shellQuote(answer.challenge) + ' ' + shellQuote(answer.phone) + ' ' +
        shellQuote(answer.namespace) + ' > message.txt';
    $('cmd-ed25519').textContent =
        'openssl pkeyutl -sign -inkey key.pem -rawin -in message.txt | openssl base64 -A';
    $('cmd-p256').textContent =
        'openssl dgst -sha256 -sign key.pem message.txt | openssl base64 -A';
    clearInterval(countdownTimer);
    countdownTimer = countdown($('challenge-expiry'), answer.expires_in, '');
  }

  async function askChallenge(event) {
    event.preventDefault();
    showError('');
    const nameSpace = $('namespace').value.trim();
    const phone = $('phone').value.trim();
    pin = $('pin').value;
    if (!nameSpace || !phone) { showError('Enter your namespace and your phone number.'); return; }
    if (!/^[0-9]{4,8}$/.test(pin)) { showError('The PIN must be 4 to 8 digits.'); return; }
    busy(true);
    try {
      await fetchChallenge(nameSpace, phone);
      show('step-proof');
    } catch (e) {
      showError(e.message);
    } finally {
      busy(false);
    }
  }

  async function signInBrowser(privateKeyPem) {
    if (!window.crypto || !window.crypto.subtle) {
      throw new Error('This browser cannot sign here (the page needs HTTPS). Use the openssl command.');
    }
    const der = pemBody(privateKeyPem, 'PRIVATE KEY');
    if (!der) {
      throw new Error('The key must be an unencrypted PKCS#8 PEM file ("BEGIN PRIVATE KEY"). ' +
                      'Convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key8.pem');
    }
    const data = new TextEncoder().encode(current.message);
    let key = null;
    try {
      key = await crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
      return toBase64(await crypto.subtle.sign({ name: 'Ed25519' }, key, data));
    } catch (e) { key = null; }
    try {
      key = await crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' },
                                          false, ['sign']);
    } catch (e) {
      throw new Error('The key could not be used. It must be an Ed25519 or ECDSA P-256 key ' +
                      '(or this browser does not support it: use the openssl command).');
    }
    return toBase64(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data));
  }

  async function submit(signatureFrom) {
    showError('');
    if (!current) { restart(); return; }
    busy(true);
    try {
      let certificate;
      try {
        certificate = await readFile($('cert-file'));
      } catch (e) {
        throw new Error(e.message || 'Choose your certificate file.');
      }
      const signature = await signatureFrom();
      const answer = await post('/register/submit', {
        challenge: current.challenge, certificate: certificate, signature: signature, pin: pin,
      });
      pin = '';
      $('pin').value = '';
      $('key-file').value = '';
      $('signature').value = '';
      $('call-from').textContent = current.phone;
      $('call-number').textContent = answer.number;
      if (/^\+[0-9]{6,15}$/.test(answer.number)) $('call-number').href = 'tel:' + answer.number;
      $('call-instructions').hidden = false;
      $('call-code').textContent = answer.code;
      clearInterval(countdownTimer);
      countdownTimer = countdown($('call-expiry'), answer.code_expires_in, 'Time left to call: ');
      setStatus('awaiting_call');
      show('step-call');
      current = null;
      clearInterval(pollTimer);
      pollTimer = setInterval(() => poll(answer.status_token), 3000);
    } catch (e) {
      showError(e.message);
      // A submission spends its challenge, whatever the outcome: sign a new one next time.
      if (e.code && current) {
        try {
          await fetchChallenge(current.namespace, current.phone);
          $('error').textContent = e.message + ' A new message to sign is shown below.';
        } catch (again) {
          current = null;
          showError(again.message);
          show('step-details');
        }
      }
    } finally {
      busy(false);
    }
  }

  const statusTexts = {
    awaiting_call: ['Waiting for your call…', ''],
    awaiting_owner: ['Your phone is proven. Waiting for the owner to approve.', ''],
    approved: ['Approved. Your calls will go through.', 'done'],
    denied: ['The owner declined this registration.', 'failed'],
    expired: ['The time to call has passed. Start again.', 'failed'],
  };

  function setStatus(state) {
    const entry = statusTexts[state] || ['Unknown state.', 'failed'];
    const element = $('status');
    element.textContent = entry[0];
    element.className = 'status' + (entry[1] ? ' ' + entry[1] : '');
    element.dataset.state = state;
    if (state !== 'awaiting_call') {
      clearInterval(countdownTimer);
      $('call-expiry').textContent = '';
      $('call-instructions').hidden = true;
    }
    if (state === 'approved' || state === 'denied' || state === 'expired') clearInterval(pollTimer);
  }

  async function poll(token) {
    try {
      const response = await fetch('/register/status/' + encodeURIComponent(token),
                                   { credentials: 'omit', cache: 'no-store' });
      if (!response.ok) return;
      const body = await response.json();
      if (typeof body.state === 'string') setStatus(body.state);
    } catch (e) {
      // Try again at the next tick.
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('details-form').addEventListener('submit', askChallenge);
    $('restart').addEventListener('click', restart);
    $('sign-browser').addEventListener('click', () => submit(async () => {
      let keyPem;
      try {
        keyPem = await readFile($('key-file'));
      } catch (e) {
        throw new Error(e.message || 'Choose your private key file.');
      }
      return signInBrowser(keyPem);
    }));
    $('submit-pasted').addEventListener('click', () => submit(async () => {
      const text = $('signature').value.trim();
      if (!text) throw new Error('Paste the signature the openssl command printed.');
      return text;
    }));
  });
})();
