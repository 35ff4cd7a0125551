import { describe, expect, it } from 'vitest';
import { loginUrl, safeNext, saveNext, takeNext } from './next';

describe('safeNext', () => {
  it.each([
    ['/projects/1?tab=design', '/projects/1?tab=design'],
    ['/', '/'],
    [null, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['/login', '/'],
    ['/login/verify?token=x', '/'],
  ])('%s gives %s', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});

describe('saved next page', () => {
  it('is read once', () => {
    saveNext('/admin/audit?actor=a');
    expect(takeNext()).toBe('/admin/audit?actor=a');
    expect(takeNext()).toBe('/');
  });
});

describe('loginUrl', () => {
  it('carries the page as next', () => {
    expect(loginUrl('/projects/1?tab=simulation')).toBe('/login?next=%2Fprojects%2F1%3Ftab%3Dsimulation');
    expect(loginUrl('/')).toBe('/login');
  });
});
