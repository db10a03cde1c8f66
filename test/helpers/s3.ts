// A real S3-protocol server (s3rver, files in a temporary folder) behind a small HTTP proxy that
// records every request in the order the storage receives it, and can cut a chosen one off.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from '@20minutes/s3rver';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from './content.ts';

export const BUCKET = 'site';
export const KEYS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

export interface S3Request {
  method: string;
  /** The object key, without the bucket. */
  key: string;
}

export interface TestS3 {
  /** The endpoint castwright talks to: the recording proxy. */
  endpoint: string;
  requests: S3Request[];
  /** Requests for which this answers true are cut off (the connection reset), every attempt. */
  cut?: (request: S3Request) => boolean;
  /** Called when a request arrives; may hold it (resolve never) to stand for a slow store. */
  onRequest?: (request: S3Request) => void | Promise<void>;
  /** A client straight to the storage, to see what it holds. */
  client: S3Client;
  object(key: string): Promise<{ body: string; contentType?: string; cacheControl?: string; sha256?: string } | undefined>;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

export async function startS3(): Promise<TestS3> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const storage = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: await tempDir('castwright-s3-'), configureBuckets: [{ name: BUCKET }] });
  const { port: storagePort } = await storage.run();
  const test: TestS3 = {
    endpoint: '',
    requests: [],
    client: new S3Client({
      endpoint: `http://127.0.0.1:${storagePort}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: KEYS.AWS_ACCESS_KEY_ID, secretAccessKey: KEYS.AWS_SECRET_ACCESS_KEY },
    }),
    async object(key) {
      try {
        const head = await test.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
        const got = await test.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        return { body: await got.Body!.transformToString(), contentType: head.ContentType, cacheControl: head.CacheControl, sha256: head.Metadata?.sha256 };
      } catch (error) {
        if ((error as { name?: string }).name === 'NotFound' || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async stop() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      test.client.destroy();
      await storage.close();
    },
  };
  const proxy = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const key = decodeURIComponent(url.pathname.replace(`/${BUCKET}/`, '').replace(/^\//, ''));
    const seen = { method: req.method ?? '', key };
    test.requests.push(seen);
    if (test.onRequest) await test.onRequest(seen);
    if (test.cut?.(seen)) {
      req.socket.destroy();
      return;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: storagePort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  test.endpoint = `http://127.0.0.1:${await listen(proxy)}`;
  return test;
}
