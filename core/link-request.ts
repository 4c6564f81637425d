// One repository's view of a request (core/request.ts explains the link fields). Apart from the
// schema, so that the per-repository steps' Lambda bundles hold no zod.
import type { OnboardingRequest, Repository } from './request.js';

/** The request as the link of `repositories[index]` sees it: its bucket, key, path and settings in the link fields. */
export function linkRequest(request: OnboardingRequest, index: number): OnboardingRequest {
  const repository = request.repositories[index];
  if (!repository) throw new RangeError(`request ${request.requestId} has no repository ${index}`);
  return {
    ...request,
    fileSystem: { ...request.fileSystem, fileSystemPath: repository.fileSystemPath },
    bucket: repository.bucket,
    key: repository.key,
    dataRepository: repository.dataRepository,
  };
}

/** `repositories` with one repository replaced, the link fields following `repositories[0]`. */
export function withRepository(request: OnboardingRequest, index: number, repository: Repository): OnboardingRequest {
  const repositories = request.repositories.map((r, i) => (i === index ? repository : r));
  return { ...linkRequest({ ...request, repositories }, 0), repositories };
}

/**
 * The request written in one form, each field once, valid input again: the single-bucket form
 * for one repository (as such requests were always shown), `repositories` for several.
 */
export function requestInOneForm(request: OnboardingRequest, form: 'shortest' | 'repositories' = 'shortest'): Record<string, unknown> {
  if (request.repositories.length === 1 && form === 'shortest') {
    const { repositories: _repositories, ...single } = request;
    return single;
  }
  const { bucket: _bucket, key: _key, dataRepository: _dataRepository, fileSystem, ...rest } = request;
  const { fileSystemPath: _fileSystemPath, ...fileSystemFields } = fileSystem;
  return { ...rest, fileSystem: fileSystemFields };
}
