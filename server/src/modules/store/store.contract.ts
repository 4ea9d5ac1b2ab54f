/*
 * One contract every Store adapter must pass, run by sqlite.store.spec.ts and mongo.store.spec.ts:
 * one slice per repository of the port (contract/*.contract.ts), each a function of the adapter's
 * factory that can also run alone.
 */
import { connectionContract } from './contract/connection.contract';
import { geographyContract } from './contract/geography.contract';
import { versionsContract } from './contract/versions.contract';
import { entriesContract } from './contract/entries.contract';
import { escalationsContract } from './contract/escalations.contract';
import { feedContract } from './contract/feed.contract';
import { usersContract } from './contract/users.contract';
import { auditContract } from './contract/audit.contract';
import { settingsContract } from './contract/settings.contract';
import { votersContract } from './contract/voters.contract';
import { complaintsContract } from './contract/complaints.contract';
import { attachmentsContract } from './contract/attachments.contract';
import { blobsContract } from './contract/blobs.contract';
import { petitionsContract } from './contract/petitions.contract';
import { alertsContract } from './contract/alerts.contract';
import { auditedContract } from './contract/audited.contract';
import type { StoreFactory } from './contract/fixtures.contract';

export { box, complaintRecord, entry, mismatchAlert, sheet, user, version, type StoreFactory } from './contract/fixtures.contract';

export function describeStoreContract(name: string, open: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    connectionContract(open);
    geographyContract(open);
    versionsContract(open);
    entriesContract(open);
    escalationsContract(open);
    feedContract(open);
    usersContract(open);
    auditContract(open);
    settingsContract(open);
    votersContract(open);
    complaintsContract(open);
    attachmentsContract(open);
    blobsContract(open);
    petitionsContract(open);
    alertsContract(open);
    auditedContract(open);
  });
}
