import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AwsCredentialIdentity } from '@smithy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCredentialSource, REFRESH_BEFORE_EXPIRY_MS, sharedProvider } from '../../../src/aws/credential-source.js';

const creds = (id: string, expiresAt?: number): AwsCredentialIdentity => ({
  accessKeyId: id,
  secretAccessKey: 's',
  ...(expiresAt === undefined ? {} : { expiration: new Date(expiresAt) }),
});

describe('sharedProvider', () => {
  it('resolves once for many callers at once, and reuses credentials without an expiry', async () => {
    let calls = 0;
    const shared = sharedProvider(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return creds(`K${calls}`);
    });
    const all = await Promise.all([shared(), shared(), shared()]);
    expect(all.map((c) => c.accessKeyId)).toEqual(['K1', 'K1', 'K1']);
    expect((await shared()).accessKeyId).toBe('K1');
    expect(calls).toBe(1);
  });

  it('renews near the expiry while the old credentials still serve; waits once they have expired', async () => {
    let now = 1_000_000;
    let calls = 0;
    let release: (() => void) | undefined;
    const shared = sharedProvider(
      async () => {
        calls += 1;
        if (calls > 1) await new Promise<void>((resolve) => (release = resolve));
        return creds(`K${calls}`, now + REFRESH_BEFORE_EXPIRY_MS + 60_000);
      },
      () => now,
    );
    expect((await shared()).accessKeyId).toBe('K1');
    now += 30_000;
    expect((await shared()).accessKeyId).toBe('K1');
    expect(calls).toBe(1);
    // Within the renewal window: one renewal starts, callers keep K1 meanwhile.
    now += 60_000;
    expect((await shared()).accessKeyId).toBe('K1');
    expect((await shared()).accessKeyId).toBe('K1');
    expect(calls).toBe(2);
    release!();
    await vi.waitFor(async () => expect((await shared()).accessKeyId).toBe('K2'));
    // Past the expiry: callers wait for the new ones.
    now += REFRESH_BEFORE_EXPIRY_MS * 10;
    const waiting = shared();
    await vi.waitFor(() => expect(release).toBeDefined());
    expect(calls).toBe(3);
    release!();
    expect((await waiting).accessKeyId).toBe('K3');
  });

  it('a failed resolution is tried again by the next caller', async () => {
    let calls = 0;
    const shared = sharedProvider(async () => {
      calls += 1;
      if (calls === 1) throw new Error('no code');
      return creds('K');
    });
    await expect(shared()).rejects.toThrow('no code');
    expect((await shared()).accessKeyId).toBe('K');
  });
});

describe('createCredentialSource', () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sot-credsource-'));
    await writeFile(
      join(dir, 'credentials'),
      '[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = team-secret\n',
    );
    await writeFile(
      join(dir, 'config'),
      '[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/Admin\nsource_profile = base\nmfa_serial = arn:aws:iam::111122223333:mfa/alice\n',
    );
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    delete process.env.AWS_PROFILE;
  });
  afterEach(async () => {
    process.env = { ...saved };
    await rm(dir, { recursive: true, force: true });
  });

  it('one provider per profile for every client; --profile is the caller', async () => {
    const mfaCode = vi.fn((_profile: string) => () => Promise.resolve('123456'));
    const source = createCredentialSource({ profile: 'base', envProfile: undefined, mfaCode });
    expect(source.profile('base')).toBe(source.caller);
    expect(source.profile('team')).toBe(source.profile('team'));
    expect((await source.caller()).accessKeyId).toBe('AKIDBASE');
    expect((await source.profile('team')()).accessKeyId).toBe('AKIDTEAM');
    expect(mfaCode.mock.calls.map(([profile]) => profile)).toEqual(['base', 'team']);
  });

  it("a profile with mfa_serial asks the command's provider, named after the profile, before any call to STS", async () => {
    const asked: string[] = [];
    const source = createCredentialSource({
      profile: undefined,
      envProfile: 'mfa',
      mfaCode: (profile) => (serial) => {
        asked.push(`${profile} ${serial}`);
        return Promise.reject(new Error(`no terminal for ${profile}`));
      },
    });
    await expect(source.profile('mfa')()).rejects.toThrow('no terminal for mfa');
    expect(asked).toEqual(['mfa arn:aws:iam::111122223333:mfa/alice']);
  });
});
