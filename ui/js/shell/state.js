// Who is signed in, as the core last said (its `Status`). Screens read the roles only to leave out
// what the core would refuse anyway; the core checks every command itself.

import { setClinicClock } from '../lib/format.js';

let current = null;

export const status = () => current;

/** Every status carries the core's clock, which the window's clock-following fields keep to. */
export function setStatus(next) {
  current = next;
  setClinicClock(next?.now);
}

/** The clinic's auto-lock setting changed (an admin saved it, or a touch reported it). */
export function setAutoLockMinutes(minutes) {
  if (current) current = { ...current, auto_lock_minutes: minutes };
}

export const hasRole = (role) => current?.user?.roles.includes(role) ?? false;

export const canChart = () => hasRole('nurse') || hasRole('physician');

/** Where a user starts: charting if they chart, else administration; everyone can change their password. */
export function landingHash() {
  if (canChart()) return '#/today';
  return hasRole('admin') ? '#/admin' : '#/password';
}
