// S3-compatible object storage (AWS S3, Cloudflare R2, Backblaze B2, MinIO) through the AWS SDK v3.
// Each object gets its Content-Type and Cache-Control (see kinds.ts) and its SHA-256 as metadata.
// Credentials come from the SDK's own chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE
// and ~/.aws, SSO, instance roles. The SDK is loaded only when an S3 target is used.
import { bodyStream } from '../body.ts';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { RunError, isErrno, systemError } from '../../errors.ts';
import { inPool } from '../pool.ts';
import { RECORD_FILE } from '../record.ts';
import type { TargetSpec } from '../target-url.ts';
import { tooLarge, type Target, type TargetContext } from '../target.ts';

type S3Spec = Extract<TargetSpec, { kind: 's3' }>;

/** Requests at once: enough to hide latency, few enough for a small bucket's rate limits. */
const CONCURRENCY = 8;

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

/** What went wrong, in words that say what to do, never the SDK's stack. */
function s3Error(spec: S3Spec, error: unknown, what: string): RunError {
  const e = (error ?? {}) as SdkError;
  if (isErrno(error)) return systemError(error, `${spec.display}: ${what}`, '');
  if (isErrno(e.cause)) return systemError(e.cause, `${spec.display}: ${what}`, '');
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? 'Error';
  let advice = '';
  if (name === 'CredentialsProviderError') advice = 'no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE';
  else if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken'].includes(name)) advice = 'the storage refused the credentials; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)';
  else if (name === 'AccessDenied' || status === 403) advice = 'access denied; the key needs s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket (and s3:ListBucket, without which S3 answers a missing file with 403)';
  else if (name === 'NoSuchBucket') advice = `the bucket "${spec.bucket}" does not exist (or is in another region or account)`;
  else if (/region/i.test(e.message ?? '') && /missing/i.test(e.message ?? '')) advice = 'no region: set AWS_REGION or add ?region=us-east-1 (R2: ?region=auto) to the URL';
  const detail = advice || `${name}${status ? ` (HTTP ${status})` : ''}: ${(e.message ?? String(error)).split('\n')[0]}`;
  return new RunError(`${spec.display}: ${what}: ${detail}`, { cause: error });
}

export async function openS3(spec: S3Spec, context: TargetContext): Promise<Target> {
  const { env } = context;
  // The SDK warns on every run that its releases from 2027 need Node 22; castwright pins a release that runs on 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-s3');
  const endpoint = spec.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  const region = spec.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'auto' : undefined));
  const keys = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY;
  const config: S3ClientConfig = {
    ...(region ? { region } : {}),
    ...(endpoint ? { endpoint } : {}),
    // Self-hosted and most compatible stores address buckets by path, not by host name.
    forcePathStyle: spec.pathStyle ?? Boolean(endpoint),
    ...(keys
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY!, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) } }
      : env.AWS_PROFILE
        ? { profile: env.AWS_PROFILE }
        : {}),
    // The SDK's default CRC32 checksum headers are refused by R2, B2 and older MinIO; the SigV4
    // signature already covers each body's SHA-256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    // A store that stops answering must not hold the run (and the next cron slot) forever.
    requestHandler: { connectionTimeout: 15_000, requestTimeout: 120_000 },
  };
  let client: S3Client;
  try {
    client = new sdk.S3Client(config);
  } catch (error) {
    throw s3Error(spec, error, 'cannot set up the S3 client');
  }
  const key = (file: string) => `${spec.prefix}${file}`;

  const putRecord = async (text: string) => {
    try {
      await client.send(new sdk.PutObjectCommand({ Bucket: spec.bucket, Key: key(RECORD_FILE), Body: text, ContentType: 'application/json', CacheControl: 'no-cache' }));
    } catch (error) {
      throw s3Error(spec, error, `cannot write the record ${key(RECORD_FILE)}`);
    }
  };

  return {
    display: spec.display,
    changesAreLive: true,

    shown: (name) => `s3://${spec.bucket}/${key(name)}`,

    async readFile(name, max) {
      const shown = `s3://${spec.bucket}/${key(name)}`;
      try {
        const answer = await client.send(new sdk.GetObjectCommand({ Bucket: spec.bucket, Key: key(name) }));
        if (answer.ContentLength !== undefined && answer.ContentLength > max) {
          await answer.Body?.transformToWebStream().cancel().catch(() => undefined);
          throw tooLarge(shown, answer.ContentLength, max);
        }
        const bytes = Buffer.from(await answer.Body!.transformToByteArray());
        if (bytes.length > max) throw tooLarge(shown, bytes.length, max);
        return bytes;
      } catch (error) {
        if (error instanceof RunError) throw error;
        const e = error as SdkError;
        if (e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket')) return undefined;
        throw s3Error(spec, error, `cannot read ${key(name)}`);
      }
    },

    async put(files, done) {
      await inPool(files, CONCURRENCY, async (file) => {
        try {
          const { body, length } = await bodyStream(file.body);
          await client.send(
            new sdk.PutObjectCommand({
              Bucket: spec.bucket,
              Key: key(file.path),
              Body: body,
              ContentLength: length,
              ContentType: file.contentType,
              CacheControl: file.cacheControl,
              Metadata: { sha256: file.sha256 },
            }),
          );
        } catch (error) {
          throw s3Error(spec, error, `cannot upload ${key(file.path)}`);
        }
        done(file.path);
      });
    },

    async remove(paths, done) {
      // One DeleteObject per file: DeleteObjects needs a checksum header that some compatible stores refuse.
      await inPool(paths, CONCURRENCY, async (file) => {
        try {
          await client.send(new sdk.DeleteObjectCommand({ Bucket: spec.bucket, Key: key(file) }));
        } catch (error) {
          throw s3Error(spec, error, `cannot delete ${key(file)}`);
        }
        done(file);
      });
    },

    writeRecord: putRecord,
    updateRecord: putRecord,
    commit: async () => undefined,
    async close() {
      client.destroy();
    },
  };
}
