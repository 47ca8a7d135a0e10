using 'main.bicep'

// Production: no account keys at all, one always-ready instance against cold starts, room to scale out.
param name = 'platprod'
param adminKey = readEnvironmentVariable('PLATFORM_ADMIN_KEY', '')
param elasticsearchUrl = readEnvironmentVariable('PLATFORM_ELASTICSEARCH_URL', '')
param elasticsearchApiKey = readEnvironmentVariable('PLATFORM_ELASTICSEARCH_API_KEY', '')
param smtpPassword = readEnvironmentVariable('PLATFORM_SMTP_PASSWORD', '')
param allowSharedKeyAccess = false
param maximumInstanceCount = 200
param instanceMemoryMB = 4096
param alwaysReadyHttp = 1
param segmentAccounts = 2
param smtpHost = readEnvironmentVariable('PLATFORM_SMTP_HOST', '')
param smtpUser = readEnvironmentVariable('PLATFORM_SMTP_USER', '')
param operatorPrincipalId = readEnvironmentVariable('PLATFORM_OPERATOR_OBJECT_ID', '')
