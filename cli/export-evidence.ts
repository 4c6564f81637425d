// The summary's export check: what VerifyExport saw (its `evidence`), not just the name of the
// proof, so a reader can check it: the object FSx wrote, the key S3 encrypted it with, and the
// bytes read back through the mount.
const label = (text: string) => `    ${`${text} `.padEnd(28)}`;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `s3://bucket/key` → its parts; undefined for anything else. */
function parseS3Url(url: string | undefined): { bucket: string; key: string } | undefined {
  const m = url ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

export function formatExportEvidence(exportCheck: Record<string, unknown>): string[] {
  const proof = text(exportCheck['proof']) ?? 'done';
  const evidence = record(exportCheck['evidence']) ?? {};
  if (proof === 'export-and-decrypt') return exportAndDecrypt(evidence);
  if (proof === 'analysis') return analysis(evidence);
  return [`  export check:                 ${proof}`];
}

function exportAndDecrypt(evidence: Record<string, unknown>): string[] {
  const lines = ['  export check:                 export-and-decrypt (FSx, as the service-linked role, wrote to S3 and read back through the key)'];
  const exported = record(evidence['exported']);
  const object = parseS3Url(text(exported?.['url']));
  if (exported && object) {
    lines.push(
      `${label('object written by FSx:')}${object.key} in bucket ${object.bucket}${text(exported['eTag']) ? ` (ETag ${text(exported['eTag'])})` : ''}`,
    );
    const sse = text(exported['serverSideEncryption']) ?? 'none';
    const keyId = text(exported['sseKmsKeyId']);
    lines.push(
      `${label('its encryption:')}${sse === 'aws:kms' ? 'SSE-KMS' : sse}${keyId ? `, key ${keyId}` : ''}${exported['bucketKeyEnabled'] === true ? ', Bucket Key on' : ''}`,
    );
  }
  const read = record(evidence['read']);
  const content = text(read?.['content']);
  if (read && content !== undefined) {
    lines.push(
      `${label('read back via the mount:')}${Buffer.byteLength(content, 'utf8')} bytes of ${text(read['path']) ?? '?'}, as the workflow wrote them to S3`,
    );
  }
  return lines;
}

function analysis(evidence: Record<string, unknown>): string[] {
  const lines = ['  export check:                 analysis (an export task, and the access the service-linked role has by the policies and grants)'];
  const task = record(evidence['task']);
  if (task) lines.push(`${label('export task:')}${text(task['taskId']) ?? '?'} ${text(task['lifecycle']) ?? ''}`.trimEnd());
  const exercised = text(evidence['exercised']);
  if (exercised) lines.push(`${label('exported:')}${exercised}`);
  const access = Array.isArray(evidence['access']) ? evidence['access'].map(record).filter((a) => a !== undefined) : [];
  for (const a of access) {
    const by = Array.isArray(a['allowedBy']) ? a['allowedBy'].map(String).join(' + ') : '';
    lines.push(`${label(`${text(a['action']) ?? '?'}:`)}${a['allowed'] === true ? `allowed${by ? ` (by ${by})` : ''}` : 'denied'}`);
  }
  return lines;
}
