import { p } from '@mikro-orm/core';

/** A row's creation time: `timestamptz NOT NULL DEFAULT now()`, set when the ORM creates it. */
export const createdAtColumn = () =>
  p
    .datetime()
    .columnType('timestamptz')
    .defaultRaw('now()')
    .onCreate(() => new Date());

/** A row's last change: `timestamptz NOT NULL DEFAULT now()`, set when the ORM creates or updates it. */
export const updatedAtColumn = () =>
  p
    .datetime()
    .columnType('timestamptz')
    .defaultRaw('now()')
    .onCreate(() => new Date())
    .onUpdate(() => new Date());
