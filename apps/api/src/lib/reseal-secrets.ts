// Webhook secrets and simulcast destination keys were once sealed with the stream-key key; workers
// now hold only the secrets key (least privilege), so the API re-seals any old ones at start.
import { decryptSecret, encryptSecret } from '@airwave/core';
import type { Db } from '@airwave/db';

export async function resealWorkerSecrets(db: Db, keys: { encryptionKey: Buffer; secretsKey: Buffer }): Promise<number> {
  const reseal = (sealed: string) => encryptSecret(decryptSecret(sealed, keys.encryptionKey), keys.secretsKey, 's1');
  let n = 0;
  for (const w of await db.webhook.findMany({ where: { secretEncrypted: { startsWith: 'v1.' } }, select: { id: true, secretEncrypted: true } })) {
    await db.webhook.update({ where: { id: w.id }, data: { secretEncrypted: reseal(w.secretEncrypted) } });
    n++;
  }
  for (const t of await db.simulcastTarget.findMany({ where: { streamKeyEncrypted: { startsWith: 'v1.' } }, select: { id: true, streamKeyEncrypted: true } })) {
    await db.simulcastTarget.update({ where: { id: t.id }, data: { streamKeyEncrypted: reseal(t.streamKeyEncrypted!) } });
    n++;
  }
  return n;
}
