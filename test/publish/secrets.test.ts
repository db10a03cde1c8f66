import { describe, expect, it } from 'vitest';
import { redactError, redactor, urlSecrets } from '../../src/publish/secrets.ts';

describe('secrets in output', () => {
  const redact = redactor(
    { AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG', PODPING_TOKEN: 'pp-token-123456', HOME: '/home/ada', SSH_AUTH_SOCK: '/tmp/ssh-x/agent.1', DEBUG: '1' },
    urlSecrets('git+https://x-access-token:ghs_secret999@github.com/tc/equity.git'),
  );

  it('masks the values of variables named like secrets, also URL-encoded or in base64', () => {
    expect(redact('signed with wJalrXUtnFEMI/K7MDENG')).toBe('signed with ***');
    expect(redact('url?key=wJalrXUtnFEMI%2FK7MDENG')).toBe('url?key=***');
    expect(redact(`Authorization: Basic ${Buffer.from('pp-token-123456').toString('base64')}`)).toBe('Authorization: Basic ***');
  });

  it('masks a password given in the target URL, and any URL password it meets', () => {
    expect(redact('fatal: could not push to https://x-access-token:ghs_secret999@github.com/')).not.toContain('ghs_secret999');
    expect(redact('see https://bob:other-pass@example.com/x')).toBe('see https://bob:***@example.com/x');
  });

  it('leaves ordinary values alone', () => {
    expect(redact('HOME is /home/ada, the agent at /tmp/ssh-x/agent.1, DEBUG 1')).toBe('HOME is /home/ada, the agent at /tmp/ssh-x/agent.1, DEBUG 1');
  });

  it('masks an error’s message and stack', () => {
    const error = redactError(new Error('bad key wJalrXUtnFEMI/K7MDENG'), redact) as Error;
    expect(error.message).toBe('bad key ***');
    expect(error.stack).not.toContain('wJalrXUtnFEMI');
  });

  it('finds the secret parts of URLs', () => {
    expect(urlSecrets('git+https://ghp_abc@github.com/x')).toContain('ghp_abc');
    expect(urlSecrets('ssh://deploy@example.com/x')).toEqual([]);
    expect(urlSecrets(undefined)).toEqual([]);
  });
});
