import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/client';
import { ErrorBanner } from './ErrorBanner';

describe('ErrorBanner', () => {
  it('names a 404', () => {
    render(<ErrorBanner error={new ApiError(404, { type: 'x', title: 'Not Found', status: 404, detail: 'no project 42' }, 'x')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Not found');
    expect(screen.getByRole('alert')).toHaveTextContent('no project 42');
  });

  it('says a 503 was retried', () => {
    render(<ErrorBanner error={new ApiError(503, null, 'x')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Service unavailable');
    expect(screen.getByRole('alert')).toHaveTextContent('Requests were retried');
  });

  it('points to the server when it is unreachable', () => {
    render(<ErrorBanner error={new ApiError(0, null, 'The pelab server could not be reached (fetch failed).')} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Server unreachable');
    expect(screen.getByRole('alert')).toHaveTextContent('pelab serve');
  });

  it('offers Retry for a 503', () => {
    render(<ErrorBanner error={new ApiError(503, null, 'x')} onRetry={() => {}} />);
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('offers no Retry for a 400', () => {
    const problem = { type: 'x', title: 'Bad Request', status: 400, detail: 'Invalid URL: UUID parsing failed' };
    render(<ErrorBanner error={new ApiError(400, problem, 'x')} onRetry={() => {}} />);
    expect(screen.getByRole('alert')).toHaveTextContent('UUID parsing failed');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('names the failed action in the title', () => {
    const problem = { type: 'x', title: 'Conflict', status: 409, detail: 'the last admin cannot be removed' };
    render(<ErrorBanner error={new ApiError(409, problem, 'x')} title="Removal failed" />);
    expect(screen.getByRole('alert')).toHaveTextContent('Removal failed');
    expect(screen.getByRole('alert')).not.toHaveTextContent('Conflict');
  });
});
