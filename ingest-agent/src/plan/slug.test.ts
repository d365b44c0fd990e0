import { describe, expect, it } from 'vitest';
import { resolveSlug, slugify } from './slug.js';

describe('slugify', () => {
  it.each([
    ['001 Detensionari Lombare', 'detensionari-lombare'],
    ['001 Detensionări Lombare', 'detensionari-lombare'],
    ['001 Detensiona\u0306ri Lombare', 'detensionari-lombare'],
    ['001 - Întindere Șold', 'intindere-sold'],
    ['001. Squat', 'squat'],
    ['12_Wall Squat', 'wall-squat'],
    ['  Genuflexiuni  (final) ', 'genuflexiuni-final'],
    ['Straße Übung', 'strasse-ubung'],
    ['90-90 stretch', '90-90-stretch'],
    ['3D squat', '3d-squat'],
    ['2024', '2024'],
    ['...', ''],
  ])('%s → %s', (folder, slug) => {
    expect(slugify(folder)).toBe(slug);
  });

  it('trims to the slug length limit without a trailing hyphen', () => {
    const slug = slugify(`${'a'.repeat(62)} b`);
    expect(slug).toBe('a'.repeat(62));
    expect(slugify('x'.repeat(100))).toHaveLength(63);
  });
});

describe('resolveSlug', () => {
  const folderSlugs = { '001 Detensionări Lombare': 'lombar-release', '002 Broken': 'Not A Slug' };

  it('takes the manifest exercise first', () => {
    expect(
      resolveSlug({ manifestExercise: 'lumbar', folderName: '001 Detensionări Lombare', folderSlugs }),
    ).toEqual({
      ok: true,
      slug: 'lumbar',
      source: 'manifest',
    });
  });

  it('then the config map, whether the folder name arrives composed or decomposed', () => {
    const expected = { ok: true, slug: 'lombar-release', source: 'config' };
    expect(resolveSlug({ folderName: '001 Detensionări Lombare', folderSlugs })).toEqual(expected);
    expect(resolveSlug({ folderName: '001 Detensionări Lombare'.normalize('NFD'), folderSlugs })).toEqual(
      expected,
    );
  });

  it('then the slugified folder name', () => {
    expect(resolveSlug({ folderName: '003 Pod Fesier', folderSlugs })).toEqual({
      ok: true,
      slug: 'pod-fesier',
      source: 'folder',
    });
  });

  it.each(['../other', 'a/b', 'Lumbar', '', 'a--b', 42, null, 'x'.repeat(64)])(
    'refuses the manifest exercise %j instead of falling back',
    (exercise) => {
      const result = resolveSlug({ manifestExercise: exercise, folderName: '003 Pod Fesier', folderSlugs });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason.file).toBe('manifest.json');
        expect(result.reason.problem).toContain('"exercise" is');
        expect(result.reason.fix).toMatch(/lowercase letters and digits/);
      }
    },
  );

  it('refuses a config mapping that is not a slug', () => {
    const result = resolveSlug({ folderName: '002 Broken', folderSlugs });
    expect(result).toMatchObject({ ok: false, reason: { problem: expect.stringContaining('"Not A Slug"') } });
  });

  it('refuses a folder name that gives no slug', () => {
    const result = resolveSlug({ folderName: '###', folderSlugs: {} });
    expect(result).toMatchObject({ ok: false, reason: { problem: expect.stringContaining('"###"') } });
  });

  it('does not read inherited keys of the map as folder names', () => {
    expect(resolveSlug({ folderName: 'constructor', folderSlugs: {} })).toEqual({
      ok: true,
      slug: 'constructor',
      source: 'folder',
    });
  });
});
