/**
 * A PostgreSQL array literal for a single bound parameter (`= ANY(?::text[])`). MikroORM's query
 * binding expands a JS array into a list of parameters, which is not what ANY() wants.
 */
export function pgArray(values: readonly (string | number)[]): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}
