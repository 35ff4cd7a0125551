import { beforeEach, describe, expect, it } from 'vitest';
import { THEME_STORAGE_KEY, useThemeStore } from './theme';

function stored(): unknown {
  const text = localStorage.getItem(THEME_STORAGE_KEY);
  return text ? (JSON.parse(text) as { state: { theme: string } }).state.theme : null;
}

describe('theme store', () => {
  beforeEach(() => {
    localStorage.clear();
    useThemeStore.getState().setTheme('light');
  });

  it('toggles the class on <html>', () => {
    useThemeStore.getState().toggle();
    expect(useThemeStore.getState().theme).toBe('dark');
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    useThemeStore.getState().toggle();
    expect(useThemeStore.getState().theme).toBe('light');
    expect(document.documentElement.classList.contains('dark')).toBe(false);
  });

  it('persists the choice in localStorage', () => {
    useThemeStore.getState().setTheme('dark');
    expect(stored()).toBe('dark');
    useThemeStore.getState().setTheme('light');
    expect(stored()).toBe('light');
  });

  it('restores a stored theme', async () => {
    localStorage.setItem(THEME_STORAGE_KEY, JSON.stringify({ state: { theme: 'dark' }, version: 0 }));
    await useThemeStore.persist.rehydrate();
    expect(useThemeStore.getState().theme).toBe('dark');
    expect(document.documentElement.classList.contains('dark')).toBe(true);
  });
});
