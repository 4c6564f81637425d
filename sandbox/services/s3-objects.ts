// S3 objects with server-side encryption. An SSE-KMS write asks KMS for a data key and a read
// asks KMS to decrypt it, both as the requester, with encryption context aws:s3:arn = the
// object ARN, or the bucket ARN when S3 Bucket Keys are on. A KMS denial fails the S3 call.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SimError } from '../errors.js';
import type { Caller } from '../identity.js';
import type { Call, Sim } from '../sim.js';
import type { ObjectState } from '../state.js';
import { bucketFor, bucketPolicyOf, DEFAULT_ENCRYPTION, findBucket } from './s3.js';
import { kmsCryptoOnBehalf } from './kms-crypto.js';
import { notifyObjectDeleted } from './fsx-links.js';
import type { ServiceModel } from './types.js';

export interface PutRequest {
  bucket: string;
  key: string;
  body: Buffer;
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

/** Authorises `action` on an object: bucket policy + the requester's identity policies. */
function authorizeObject(sim: Sim, caller: Caller, bucketName: string, key: string, region: string, action: string) {
  const bucket = findBucket(sim, bucketName, region);
  sim.authorize('s3', caller, { action, resource: objectArn(bucket.name, key), resourceAccount: bucket.account }, { resourcePolicy: bucketPolicyOf(bucket) });
  return bucket;
}

/** KMS refusals surface from S3 as AccessDenied carrying KMS's message. */
function viaKms<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof SimError && error.code === 'AccessDeniedException') throw new SimError('AccessDenied', error.message, 403);
    if (error instanceof SimError) throw new SimError(`KMS.${error.code}`, error.message, 400);
    throw error;
  }
}

export function putObjectAs(sim: Sim, caller: Caller, region: string, request: PutRequest): ObjectState {
  const bucket = authorizeObject(sim, caller, request.bucket, request.key, region, 's3:PutObject');
  const rule = bucket.encryption ?? DEFAULT_ENCRYPTION;
  const sse = request.serverSideEncryption ?? (rule.sseAlgorithm === 'AES256' ? 'AES256' : 'aws:kms');
  const object: ObjectState = {
    key: request.key,
    bodyBase64: request.body.toString('base64'),
    etag: `"${createHash('md5').update(request.body).digest('hex')}"`,
    lastModified: sim.now(),
    sse,
    writtenBy: caller.sessionArn,
  };
  if (sse === 'aws:kms') {
    const keyId = request.kmsKeyId ?? (request.serverSideEncryption ? undefined : rule.kmsMasterKeyId);
    if (!keyId) throw new SimError('InvalidArgument', 'The sandbox needs an explicit KMS key for aws:kms (no AWS managed aws/s3 key is modelled).');
    const bucketKey = request.bucketKeyEnabled ?? (request.serverSideEncryption ? false : rule.bucketKeyEnabled);
    const contextArn = bucketKey ? `arn:aws:s3:::${bucket.name}` : objectArn(bucket.name, request.key);
    const keyArn = viaKms(() =>
      kmsCryptoOnBehalf(sim, {
        operation: 'GenerateDataKey',
        keyId,
        caller,
        region,
        encryptionContext: { 'aws:s3:arn': contextArn },
        viaService: `s3.${region}.amazonaws.com`,
      }),
    );
    Object.assign(object, { kmsKeyArn: keyArn, bucketKeyEnabled: bucketKey, encryptionContextArn: contextArn });
  }
  bucket.objects[request.key] = object;
  return object;
}

export function getObjectAs(sim: Sim, caller: Caller, region: string, bucketName: string, key: string): { object: ObjectState; body: Buffer } {
  const bucket = authorizeObject(sim, caller, bucketName, key, region, 's3:GetObject');
  const object = bucket.objects[key];
  if (!object) throw missingObject(sim, caller, bucketName, region, 'NoSuchKey');
  if (object.sse === 'aws:kms') {
    viaKms(() =>
      kmsCryptoOnBehalf(sim, {
        operation: 'Decrypt',
        keyId: object.kmsKeyArn!,
        caller,
        region,
        encryptionContext: { 'aws:s3:arn': object.encryptionContextArn! },
        viaService: `s3.${region}.amazonaws.com`,
      }),
    );
  }
  return { object, body: Buffer.from(object.bodyBase64, 'base64') };
}

/** Without s3:ListBucket, S3 answers 403 rather than revealing that a key does not exist. */
function missingObject(sim: Sim, caller: Caller, bucketName: string, region: string, code: 'NoSuchKey' | 'NotFound'): SimError {
  const bucket = findBucket(sim, bucketName, region);
  const decision = sim.decide(
    caller,
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${bucket.name}`, resourceAccount: bucket.account },
    { resourcePolicy: bucketPolicyOf(bucket) },
  );
  if (!decision.allowed) return new SimError('AccessDenied', 'Access Denied', 403);
  return new SimError(code, code === 'NoSuchKey' ? 'The specified key does not exist.' : 'Not Found', 404);
}

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  throw new SimError('InvalidArgument', 'The sandbox accepts string, Uint8Array or stream bodies.');
}

/** A body with the SDK's stream helpers (transformToString …). */
function sdkBody(bytes: Buffer) {
  const stream = Readable.from([bytes]);
  return Object.assign(stream, {
    transformToString: async (encoding?: BufferEncoding) => bytes.toString(encoding ?? 'utf8'),
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToWebStream: () => Readable.toWeb(Readable.from([bytes])),
  });
}

function sseOutput(object: ObjectState) {
  return {
    ServerSideEncryption: object.sse,
    ...(object.kmsKeyArn ? { SSEKMSKeyId: object.kmsKeyArn, BucketKeyEnabled: !!object.bucketKeyEnabled } : {}),
  };
}

function objectCall(call: Call): { bucket: string; key: string } {
  const bucket = String(call.input.Bucket ?? '');
  const key = String(call.input.Key ?? '');
  call.resources.push({ ARN: objectArn(bucket, key), type: 'AWS::S3::Object' });
  const owner = call.sim.state.buckets[bucket]?.account;
  if (owner) call.resourceAccount = owner;
  return { bucket, key };
}

export const s3Objects: ServiceModel = {
  async PutObject(call) {
    const { bucket, key } = objectCall(call);
    const object = putObjectAs(call.sim, call.caller, call.region, {
      bucket,
      key,
      body: await bodyBytes(call.input.Body),
      ...(call.input.ServerSideEncryption ? { serverSideEncryption: call.input.ServerSideEncryption } : {}),
      ...(call.input.SSEKMSKeyId ? { kmsKeyId: call.input.SSEKMSKeyId } : {}),
      ...(call.input.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: call.input.BucketKeyEnabled } : {}),
    });
    return { ETag: object.etag, ...sseOutput(object) };
  },

  GetObject(call) {
    const { bucket, key } = objectCall(call);
    const { object, body } = getObjectAs(call.sim, call.caller, call.region, bucket, key);
    return {
      Body: sdkBody(body),
      ContentLength: body.length,
      ETag: object.etag,
      LastModified: new Date(object.lastModified),
      ContentType: 'binary/octet-stream',
      ...sseOutput(object),
    };
  },

  HeadObject(call) {
    const { bucket, key } = objectCall(call);
    const b = authorizeObject(call.sim, call.caller, bucket, key, call.region, 's3:GetObject');
    const object = b.objects[key];
    if (!object) throw missingObject(call.sim, call.caller, bucket, call.region, 'NotFound');
    return {
      ContentLength: Buffer.from(object.bodyBase64, 'base64').length,
      ETag: object.etag,
      LastModified: new Date(object.lastModified),
      ContentType: 'binary/octet-stream',
      ...sseOutput(object),
    };
  },

  DeleteObject(call) {
    const { bucket, key } = objectCall(call);
    const b = authorizeObject(call.sim, call.caller, bucket, key, call.region, 's3:DeleteObject');
    // Deleting a missing key succeeds (204), as on S3.
    if (b.objects[key]) {
      delete b.objects[key];
      notifyObjectDeleted(call.sim, bucket, key);
    }
    return {};
  },

  ListObjectsV2(call) {
    const prefix = String(call.input.Prefix ?? '');
    const bucket = bucketFor(call, 's3:ListBucket', { context: { 's3:prefix': prefix } });
    const keys = Object.keys(bucket.objects)
      .filter((k) => k.startsWith(prefix))
      .sort();
    const start = call.input.ContinuationToken ? keys.indexOf(String(call.input.ContinuationToken)) : 0;
    const max = Number(call.input.MaxKeys ?? 1000);
    const page = keys.slice(Math.max(start, 0), Math.max(start, 0) + max);
    const next = keys[Math.max(start, 0) + max];
    return {
      Name: bucket.name,
      Prefix: prefix,
      MaxKeys: max,
      KeyCount: page.length,
      IsTruncated: next !== undefined,
      ...(next !== undefined ? { NextContinuationToken: next } : {}),
      Contents: page.map((k) => {
        const o = bucket.objects[k]!;
        return { Key: k, Size: Buffer.from(o.bodyBase64, 'base64').length, ETag: o.etag, LastModified: new Date(o.lastModified), StorageClass: 'STANDARD' };
      }),
    };
  },
};
