import { describe, expect, it } from 'vitest';
import { ApiError, isRetryable, request, shouldRetry } from './client';

describe('shouldRetry', () => {
  it('retries 503 and network failures up to 3 times', () => {
    expect(shouldRetry(0, new ApiError(503, null, 'down'))).toBe(true);
    expect(shouldRetry(2, new ApiError(0, null, 'offline'))).toBe(true);
    expect(shouldRetry(3, new ApiError(503, null, 'down'))).toBe(false);
  });

  it('does not retry client errors', () => {
    expect(shouldRetry(0, new ApiError(404, null, 'missing'))).toBe(false);
    expect(shouldRetry(0, new ApiError(422, null, 'invalid'))).toBe(false);
    expect(shouldRetry(0, new Error('other'))).toBe(false);
  });
});

describe('isRetryable', () => {
  it.each([0, 408, 429, 500, 503])('offers a retry for %d', (status) => {
    expect(isRetryable(new ApiError(status, null, 'failed'))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422])('offers no retry for %d', (status) => {
    expect(isRetryable(new ApiError(status, null, 'failed'))).toBe(false);
  });

  it('offers a retry for errors without a status', () => {
    expect(isRetryable(new Error('other'))).toBe(true);
  });
});

describe('request', () => {
  it('turns a problem document into an ApiError', async () => {
    const problem = { type: 'x', title: 'Not found', status: 404, detail: 'no project 1' };
    const call = () => Promise.resolve({ error: problem, response: new Response(null, { status: 404 }) });
    await expect(request(call)).rejects.toMatchObject({ status: 404, problem, message: 'Not found: no project 1' });
  });

  it('turns a failed fetch into status 0', async () => {
    const call = () => Promise.reject(new TypeError('fetch failed'));
    await expect(request(call)).rejects.toMatchObject({ status: 0 });
  });

  it('returns the data of a success', async () => {
    const call = () => Promise.resolve({ data: [1, 2], response: new Response(null, { status: 200 }) });
    await expect(request(call)).resolves.toEqual([1, 2]);
  });
});
