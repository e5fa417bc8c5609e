// Administration: the users, the clinic's settings, the clinic server and the audit trail, one section each.

import { h } from '../lib/dom.js';
import { auditSection } from './admin-audit.js';
import { serverSection } from './admin-server.js';
import { settingsSection } from './admin-settings.js';
import { usersSection } from './admin-users.js';

export function renderAdmin(root) {
  root.replaceChildren(h('h1', {}, 'Administration'), usersSection(), settingsSection(), serverSection(), auditSection());
}
