// SPDX-License-Identifier: GPL-3.0-or-later
// Peer receiver for side-by-side benchmarks: what a Telnyx user writes with the official SDK.
// express (raw body) -> telnyx.webhooks.unwrap (Ed25519, +-300 s) -> better-sqlite3 durable insert -> 200.
const express = require('express');
const Telnyx = require('telnyx');
const Database = require('better-sqlite3');
const port = Number(process.env.PORT || 3100);
const db = new Database(process.env.DB || 'peer.db');
db.pragma('journal_mode = WAL'); db.pragma('synchronous = ' + (process.env.SYNC || 'FULL'));
db.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, type TEXT, call_id TEXT,
          occurred_at TEXT, payload TEXT)`);
const insert = db.prepare('INSERT OR IGNORE INTO events (id, type, call_id, occurred_at, payload) VALUES (?,?,?,?,?)');
const client = new (Telnyx.default || Telnyx)({ apiKey: 'unused', publicKey: process.env.TELNYX_PUBLIC_KEY });
// VERIFY=native: what a careful engineer writes instead: node's own crypto (OpenSSL) Ed25519.
const crypto = require('crypto');
const native = process.env.VERIFY === 'native';
const pubKey = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'),
  Buffer.from(process.env.TELNYX_PUBLIC_KEY || '', 'base64')]), format: 'der', type: 'spki' });
const app = express();
app.get('/health', (req, res) => res.json({ status: 'ok' }));
app.post('/webhooks/telnyx', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
  const body = req.body.toString('utf8');
  try {
    if (native) {
      const ts = req.headers['telnyx-timestamp'], sig = req.headers['telnyx-signature-ed25519'];
      if (!ts || !sig || Math.abs(Date.now() / 1000 - Number(ts)) > 300) throw new Error('stale');
      if (!crypto.verify(null, Buffer.concat([Buffer.from(ts + '|'), req.body]), pubKey, Buffer.from(sig, 'base64'))) throw new Error('bad');
    } else {
      await client.webhooks.unwrap(body, { headers: req.headers, key: process.env.TELNYX_PUBLIC_KEY });
    }
  } catch (e) { return res.status(401).json({ error: 'signature' }); }
  let ev; try { ev = JSON.parse(body); } catch (e) { return res.status(400).json({ error: 'json' }); }
  const d = ev.data || {};
  insert.run(d.id, d.event_type, (d.payload || {}).call_control_id, d.occurred_at, body);
  res.json({ ok: true });
});
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
