import { strict as assert } from 'assert';
import { test } from 'node:test';
import { didChangeConfigurationParams, isIdentifier, screamingSnake, serverSettings } from '../src/settings';

test('rules and exclude are passed in the shape of dols.toml', () => {
  const settings = serverSettings({ 'legacy-kv-backend': 'off', 'binding-not-in-env': ' Error ' }, ['examples/**', ' tmp/ ']);
  assert.deepEqual(settings, {
    rules: { 'legacy-kv-backend': 'off', 'binding-not-in-env': 'error' },
    exclude: ['examples/**', 'tmp/'],
  });
  assert.deepEqual(didChangeConfigurationParams(settings), { settings: { dols: settings } });
});

test('only rules and exclude reach the server, whatever else is set', () => {
  // The server rejects unknown keys (serde deny_unknown_fields), so the
  // client-only settings must never be part of the object.
  const settings = serverSettings({}, []);
  assert.deepEqual(Object.keys(settings).sort(), ['exclude', 'rules']);
});

test('values of the wrong type are dropped', () => {
  assert.deepEqual(serverSettings(['off'], 'examples/**'), { rules: {}, exclude: [] });
  assert.deepEqual(serverSettings({ a: 1, b: null, c: 'hint' }, [1, '', 'x/']), { rules: { c: 'hint' }, exclude: ['x/'] });
  assert.deepEqual(serverSettings(undefined, undefined), { rules: {}, exclude: [] });
});

test('binding names as the server derives them', () => {
  assert.equal(screamingSnake('ChatRoom'), 'CHAT_ROOM');
  assert.equal(screamingSnake('HTTPServer'), 'HTTP_SERVER');
  assert.equal(screamingSnake('Room2Go'), 'ROOM2_GO');
  assert.equal(screamingSnake('my_object'), 'MY_OBJECT');
  assert.equal(screamingSnake('Counter'), 'COUNTER');
});

test('identifiers', () => {
  for (const ok of ['Room', '_x', '$y', 'Zähler', 'A1']) assert.ok(isIdentifier(ok), ok);
  for (const bad of ['', '1A', 'a-b', 'a b', 'a.b']) assert.ok(!isIdentifier(bad), bad);
});
