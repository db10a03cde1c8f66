// The email digests: email/<slug>.html and .txt per episode, for shows with email settings. The
// unsubscribe link keeps its {token} placeholder: `send` fills it per reader. Beside them the web
// copy that "view in browser" opens, email/<slug>/index.html, with no reader in it.
import { textOf, type OutputContent } from '../../model/source-file.ts';
import { hasEmail } from '../../model/types.ts';
import { prepareDigest, webCopyPath, type Digest } from '../email.ts';
import { defineOutput, type Contribution } from './output.ts';

/** What the digest adds to its two files (kept apart from them, so a cached digest is stored once). */
export type DigestHeading = Pick<Digest, 'subject' | 'preheader'>;

const htmlFile = (slug: string) => `email/${slug}.html`;
const textFile = (slug: string) => `email/${slug}.txt`;

export const emailOutput = defineOutput<DigestHeading>({
  name: 'email',
  applies: hasEmail,
  episode: ({ show, templates }, view) => {
    if (!hasEmail(show)) throw new Error('the email output applies only to shows with email settings');
    const digest = prepareDigest(show, view, templates, view);
    const { subject, preheader, html, text } = digest(show.email.unsubscribe);
    return {
      files: [
        [htmlFile(view.slug), html],
        [textFile(view.slug), text],
        [`${webCopyPath(view.slug)}index.html`, digest.webCopy()],
      ],
      part: { subject, preheader },
    };
  },
});

/** Each episode's digest by slug, from the output's parts and the files it rendered. */
export function digestsOf(contributions: ReadonlyArray<Contribution<DigestHeading>>, files: ReadonlyMap<string, OutputContent>): Map<string, Digest> {
  return new Map(
    contributions.map(({ view, part }) => [view.slug, { ...part, html: textOf(files.get(htmlFile(view.slug))), text: textOf(files.get(textFile(view.slug))) }]),
  );
}
