import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { showSchema } from '../../src/model/schema.ts';
import { fixture } from '../helpers/content.ts';

// The fixture show.yml, as the YAML loader hands it to the schema.
const show = parse(await fixture('show.yml')) as object;

function messages(input: object): string[] {
  const result = showSchema.safeParse({ ...show, ...input });
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('show.yml publish settings', () => {
  it('has no target, hub or podping by default', () => {
    const parsed = showSchema.parse(show);
    expect(parsed.publish).toBeUndefined();
    expect(parsed.websub).toEqual([]);
    expect(parsed.podping).toBeUndefined();
  });

  it('takes a target URL, one hub or a list of them, and the podping endpoint', () => {
    const parsed = showSchema.parse({ ...show, publish: 's3://equity-site/?region=auto', websub: 'https://pubsubhubbub.appspot.com/', podping: 'https://podping.cloud/' });
    expect(parsed.publish).toBe('s3://equity-site/?region=auto');
    expect(parsed.websub).toEqual(['https://pubsubhubbub.appspot.com/']);
    expect(parsed.podping).toBe('https://podping.cloud/');
    expect(showSchema.parse({ ...show, websub: ['https://a.example/hub', 'https://b.example/hub'] }).websub).toEqual(['https://a.example/hub', 'https://b.example/hub']);
  });

  it('refuses a target with credentials without repeating them, and says where they belong', () => {
    const [message] = messages({ publish: 's3://AKIAKEY:hunter2secret@bucket/' });
    expect(message).toBe('publish: "s3://AKIAKEY:***@bucket/" holds credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE) in the environment instead');
    expect(messages({ publish: 'git+https://ghp_token123456@github.com/o/r.git' })[0]).toContain('holds a password or token; use a git credential helper');
  });

  it.each([
    [{ publish: 'ftp://example.com/' }, 'publish: "ftp://example.com/" is not a publish target'],
    [{ websub: 'javascript:alert(1)' }, 'websub: expected a WebSub hub URL'],
    [{ podping: 'podping.cloud' }, 'podping: expected the podping HTTP endpoint'],
  ])('explains a wrong value: %j', (input, message) => {
    expect(messages(input)[0]).toContain(message);
  });
});
