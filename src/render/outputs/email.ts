// The email digests: email/<slug>.html and .txt per episode, for shows with email settings. The
// unsubscribe link keeps its {token} placeholder: `send` fills it per reader. Beside them the web
// copy that "view in browser" opens, email/<slug>/index.html, with no reader in it.
import { hasEmail } from '../../model/types.ts';
import { prepareDigest, renderWebCopy, webCopyPath, type Digest } from '../email.ts';
import { defineOutput } from './output.ts';

export const emailOutput = defineOutput<Digest>({
  name: 'email',
  applies: hasEmail,
  episode: ({ show, templates }, view) => {
    if (!hasEmail(show)) throw new Error('the email output applies only to shows with email settings');
    const digest = prepareDigest(show, view, templates, view)(show.email.unsubscribe);
    return {
      files: [
        [`email/${view.slug}.html`, digest.html],
        [`email/${view.slug}.txt`, digest.text],
        [`${webCopyPath(view.slug)}index.html`, renderWebCopy(show, view, templates, view)],
      ],
      part: digest,
    };
  },
});
