import type { Db } from '@airwave/db';
import { newId } from '@airwave/common';
import { displayPrefix, generateApiKey, sha256Hex } from '@airwave/common';

/** Creates a project and its first API key; the key is returned once and only its hash is kept. */
export async function createProjectWithKey(db: Db, name: string, keyName = 'default') {
  const apiKey = generateApiKey();
  const project = await db.project.create({
    data: {
      id: newId('project'),
      name,
      apiKeys: { create: { id: newId('apiKey'), name: keyName, prefix: displayPrefix(apiKey), hash: sha256Hex(apiKey) } },
    },
  });
  return { project, apiKey };
}
