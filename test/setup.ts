// Quiet logs in tests unless asked for (PENGAWAS_LOG_LEVEL=debug npx jest ...).
process.env.PENGAWAS_LOG_LEVEL ??= 'silent';
