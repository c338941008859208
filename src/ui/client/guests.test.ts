import { describe, expect, it } from 'vitest';
import { defaultGuest } from './guests';

/** A static host that has `files`, and answers anything else with the app's page. */
function host(files: string[]): typeof fetch {
  return (async (url: string | URL | Request) => {
    const has = files.includes(String(url));
    return new Response(null, { status: 200, headers: { 'content-type': has ? 'application/octet-stream' : 'text/html' } });
  }) as typeof fetch;
}

describe('defaultGuest', () => {
  it('boots the teaching OS when the build has it', async () => {
    expect((await defaultGuest('', host(['guests/pvos.elf', 'guests/console.elf']))).name).toBe('pvos');
  });

  it('falls back to the demo guest, seeing through index.html answers', async () => {
    expect((await defaultGuest('', host(['guests/console.elf']))).name).toBe('demo');
  });

  it('takes ?guest= when it names a shipped guest', async () => {
    expect((await defaultGuest('?guest=demo', host(['guests/pvos.elf', 'guests/console.elf']))).name).toBe('demo');
    expect((await defaultGuest('?guest=nope', host(['guests/console.elf']))).name).toBe('demo');
  });
});
