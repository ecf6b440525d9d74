'use strict';
// Malformed input on the WebSocket (spec protocol-v1.md §2.1, §2.4, §3.8, §5.7, §7.1; checklist
// CON-18..CON-21) plus RFC 6455 violations: oversize messages (1009), invalid UTF-8 text (1007),
// unmasked client frames (1002). A misbehaving connection must not affect any other.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { rawApp, rawJoin } = require('../lib/pusher-clients');

/** The connection survived: not closed, and a ping still gets a pong. */
async function alive(c, what) {
  c.send({ event: 'pusher:ping', data: {} });
  await c.next('pusher:pong', 2000).catch((e) => assert.fail(`${what}: connection no longer answers (${e.message})`));
  assert.equal(c.closed, null, what);
}

/** Only pusher:error frames with {code:null|int, message} (or nothing) may answer garbage (§2.4). */
function assertOnlyFormatErrors(c, what) {
  for (const f of c.frames) {
    assert.equal(f.event, 'pusher:error', `${what}: unexpected reply ${JSON.stringify(f)}`);
    assert.equal(typeof f.data, 'object', `${what}: ${JSON.stringify(f)}`);
    assert.ok(f.data.code === null || Number.isInteger(f.data.code), `${what}: ${JSON.stringify(f)}`);
    assert.equal(typeof f.data.message, 'string');
  }
  c.frames = [];
}

describe('malformed input', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('CON-18: invalid JSON frames do not close the connection', async () => {
    const c = await rawApp(server);
    try {
      for (const text of ['not json', '{', '{"event":', '}{', '', ' ', '{"event":"pusher:ping",}', '\u0000', '{"event":"pusher:ping"}}']) {
        c.send(text);
        await alive(c, JSON.stringify(text));
        assertOnlyFormatErrors(c, JSON.stringify(text));
      }
    } finally { c.close(); }
  });

  it('non-object JSON (array, number, string, null, bool) is ignored or answered with pusher:error', async () => {
    const c = await rawApp(server);
    try {
      for (const text of ['[]', '[{"event":"pusher:ping"}]', '42', '"pusher:ping"', 'null', 'true', '1e999']) {
        c.send(text);
        await alive(c, text);
        assertOnlyFormatErrors(c, text);
      }
    } finally { c.close(); }
  });

  it('frames without a string event are ignored or answered with pusher:error', async () => {
    const c = await rawApp(server);
    try {
      for (const text of ['{}', '{"data":{}}', '{"channel":"x","data":"y"}', '{"event":42}', '{"event":null}', '{"event":{"a":1}}', '{"event":["pusher:ping"]}', '{"Event":"pusher:ping"}']) {
        c.send(text);
        await alive(c, text);
        assertOnlyFormatErrors(c, text);
      }
    } finally { c.close(); }
  });

  it('wrong field types in protocol events: missing/non-string channel → pusher:error code null; others keep the connection', async () => {
    const c = await rawApp(server);
    try {
      for (const data of [{}, { channel: 5 }, { channel: null }, { channel: ['a'] }, { channel: { a: 1 } }]) {
        c.send({ event: 'pusher:subscribe', data });
        const err = await c.next('pusher:error', 2000);
        assert.equal(err.data.code, null, `subscribe ${JSON.stringify(data)}: ${JSON.stringify(err)}`);
        assert.equal(typeof err.data.message, 'string');
        assert.ok(!('channel' in err) || err.channel === undefined);
        await alive(c, JSON.stringify(data));
      }
      for (const frame of [
        { event: 'pusher:subscribe' },
        { event: 'pusher:subscribe', data: 42 },
        { event: 'pusher:subscribe', data: 'not json' },
        { event: 'pusher:subscribe', data: [] },
        { event: 'pusher:unsubscribe', data: { channel: 7 } },
        { event: 'pusher:unsubscribe' },
        { event: 'pusher:signin', data: 'x' },
        { event: 'pusher:signin', data: { auth: 5, user_data: { id: '1' } } },
        { event: 'pusher:signin' },
        { event: 'client-x', channel: 5, data: {} },
        { event: 'client-x', channel: null },
      ]) {
        c.send(frame);
        await alive(c, JSON.stringify(frame));
        c.frames = c.frames.filter((f) => f.event !== 'pusher:error');
        assert.deepEqual(c.frames, [], `${JSON.stringify(frame)}: unexpected ${JSON.stringify(c.frames)}`);
      }
      // ping data is ignored, whatever its type
      c.send({ event: 'pusher:ping', data: [1, 2] });
      await c.next('pusher:pong', 2000);
      // a non-string auth on a private channel is an authorisation failure, not a crash
      c.send({ event: 'pusher:subscribe', data: { channel: 'private-types', auth: 123 } });
      const se = await c.next('pusher:subscription_error', 2000);
      assert.equal(se.channel, 'private-types');
      // a non-string channel_data on presence likewise
      c.send({ event: 'pusher:subscribe', data: { channel: 'presence-types', auth: 'app-key:00', channel_data: { user_id: 'x' } } });
      assert.equal((await c.next('pusher:subscription_error', 2000)).channel, 'presence-types');
      await alive(c, 'after type errors');
      // the connection still works normally
      await rawJoin(c, 'after-types');
    } finally { c.close(); }
  });

  it('CON-21: unknown pusher:* and pusher_internal:* events are ignored; unknown non-client events too', async () => {
    const c = await rawApp(server);
    try {
      c.send({ event: 'pusher:foo', data: {} });
      c.send({ event: 'pusher_internal:member_added', channel: 'presence-x', data: '{"user_id":"evil"}' });
      c.send({ event: 'pusher_internal:subscription_succeeded', channel: 'x', data: '{}' });
      assert.ok(await c.nothing(() => true, 300), `unknown pusher events must be ignored: ${JSON.stringify(c.frames)}`);
      await alive(c, 'pusher:foo');
      c.send({ event: 'my-app-event', channel: 'x', data: {} });
      await alive(c, 'my-app-event');
      // MAY reply with pusher:error (code null)
      for (const f of c.frames) {
        assert.equal(f.event, 'pusher:error');
        assert.equal(f.data.code, null);
      }
    } finally { c.close(); }
  });

  it('CON-20: a binary frame with valid JSON is processed like text (or ignored) and never crashes', async () => {
    const c = await rawApp(server);
    try {
      c.ws.send(Buffer.from('{"event":"pusher:ping","data":{}}'), { binary: true });
      const pong = await c.next('pusher:pong', 1000).catch(() => null);
      // either answered (decoded like text) or ignored; the connection stays usable
      c.ws.send(Buffer.from([0, 1, 2, 255, 254]), { binary: true });
      await alive(c, 'after binary frames');
      assert.ok(pong === null || pong.event === 'pusher:pong');
      for (const f of c.frames) assert.equal(f.event, 'pusher:error', JSON.stringify(f));
      // frames from the server are always text
      const other = await rawApp(server);
      try {
        const raw = [];
        other.ws.on('message', (d, isBinary) => raw.push(isBinary));
        await rawJoin(other, 'binary-check');
        other.send({ event: 'pusher:ping', data: {} });
        await other.next('pusher:pong');
        assert.ok(raw.length > 0 && raw.every((b) => b === false), 'server frames must be text frames');
      } finally { other.close(); }
    } finally { c.close(); }
  });

  it('CON-19: a message larger than websocket_max_payload_kb (64 KiB) → close 1009; exactly 64 KiB is accepted', async () => {
    const pad = (total) => {
      const base = '{"event":"pusher:ping","data":{},"pad":""}';
      const s = `{"event":"pusher:ping","data":{},"pad":"${'x'.repeat(total - base.length)}"}`;
      assert.equal(Buffer.byteLength(s), total);
      return s;
    };
    const c = await rawApp(server);
    try {
      c.send(pad(65536));
      await c.next('pusher:pong', 3000);
      c.send(pad(65537));
      const closed = await c.waitClose(5000);
      assert.equal(closed.code, 1009, `close code (reason "${closed.reason}")`);
    } finally { c.close(); }
    // the limit applies to the whole message, also when it is fragmented
    const d = await rawApp(server);
    try {
      const chunk = 'x'.repeat(40 * 1024);
      d.ws.send(`{"event":"pusher:ping","pad":"${chunk}`, { fin: false });
      d.ws.send(`${chunk}"}`, { fin: true });
      const closed = await d.waitClose(5000);
      assert.equal(closed.code, 1009, `fragmented: close code (reason "${closed.reason}")`);
    } finally { d.close(); }
  });

  it('invalid UTF-8 in a text frame → close 1007', async () => {
    const c = await rawApp(server);
    try {
      c.ws.send(Buffer.from([0x7b, 0x22, 0x65, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
      const closed = await c.waitClose(3000);
      assert.equal(closed.code, 1007, `close code (reason "${closed.reason}")`);
    } finally { c.close(); }
    // an overlong encoding and a lone surrogate are invalid too
    for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const d = await rawApp(server);
      try {
        d.ws.send(Buffer.from([0x22, ...bytes, 0x22]), { binary: false });
        assert.equal((await d.waitClose(3000)).code, 1007, `bytes ${bytes}`);
      } finally { d.close(); }
    }
  });

  it('an unmasked client frame → close 1002', async () => {
    const c = await rawApp(server);
    try {
      c.ws.send('{"event":"pusher:ping","data":{}}', { mask: false });
      const closed = await c.waitClose(3000);
      assert.equal(closed.code, 1002, `close code (reason "${closed.reason}")`);
      assert.ok(!c.frames.some((f) => f.event === 'pusher:pong'), 'an unmasked frame must not be processed');
    } finally { c.close(); }
  });

  it('a misbehaving connection does not affect another connection', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-isolation');
      await rawJoin(b, 'private-isolation');
      const bads = [];
      for (const abuse of [
        (x) => { for (let i = 0; i < 50; i += 1) x.send('garbage {'); },
        (x) => x.send(`{"event":"pusher:ping","pad":"${'x'.repeat(70000)}"}`),
        (x) => x.ws.send(Buffer.from([0xff, 0xff]), { binary: false }),
        (x) => x.ws.send('{"event":"pusher:ping"}', { mask: false }),
        (x) => { x.ws._socket.write(Buffer.from([0x81, 0xff, 1, 2, 3])); x.ws._socket.destroy(); },
      ]) {
        const bad = await rawApp(server);
        bads.push(bad);
        await rawJoin(bad, 'private-isolation');
        abuse(bad);
      }
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 5; i += 1) {
        a.send({ event: 'client-still', channel: 'private-isolation', data: { i } });
        assert.equal(JSON.parse((await b.next('client-still', 2000)).data).i, i);
      }
      await alive(a, 'a');
      await alive(b, 'b');
      const fresh = await rawApp(server);
      try { await rawJoin(fresh, 'after-abuse'); } finally { fresh.close(); }
      for (const bad of bads) bad.close();
    } finally { a.close(); b.close(); }
  });
});
