/** The roles a pengawas process can run. */
export type Role = 'scheduler' | 'worker' | 'recorder';
export const ALL_ROLES: Role[] = ['scheduler', 'worker', 'recorder'];
