// Finding this request's file system again: by the id an earlier step returned, or by the
// request-id tag every file system this request creates carries.
import { DescribeFileSystemsCommand, paginateDescribeFileSystems, type FSxClient, type FileSystem } from '@aws-sdk/client-fsx';
import { hasRequestTag, isErrorNamed } from './step-support.js';

export async function describeFileSystem(fsx: FSxClient, fileSystemId: string): Promise<FileSystem | undefined> {
  try {
    const { FileSystems } = await fsx.send(new DescribeFileSystemsCommand({ FileSystemIds: [fileSystemId] }));
    return FileSystems?.[0];
  } catch (e) {
    if (isErrorNamed(e, 'FileSystemNotFound')) return undefined;
    throw e;
  }
}

/** File systems in the account tagged with this request id (DescribeFileSystems has no tag filter). */
export async function findTaggedFileSystems(fsx: FSxClient, requestId: string): Promise<FileSystem[]> {
  const found: FileSystem[] = [];
  for await (const page of paginateDescribeFileSystems({ client: fsx }, {})) {
    found.push(...(page.FileSystems ?? []).filter((fs) => hasRequestTag(fs.Tags, requestId)));
  }
  return found;
}
