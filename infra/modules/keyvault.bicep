// Key Vault in RBAC mode for the platform's secrets, read by the Function App as Key Vault references.
@description('Vault name (3-24 characters).')
@maxLength(24)
param name string

@description('Region.')
param location string

@description('The principal that reads the secrets (the Function App identity).')
param readerPrincipalId string

@description('Who else may read and set the secrets (Key Vault Secrets Officer); empty: nobody but the app reads them.')
param operatorPrincipalId string = ''

@description('The first API key (Platform__Auth__AdminKey).')
@secure()
param adminKey string

@description('Elasticsearch API key; empty: the router stays off.')
@secure()
param elasticsearchApiKey string = ''

@description('SMTP password for the notification job; empty: none.')
@secure()
param smtpPassword string = ''

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
  }
}

resource admin 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'admin-key'
  properties: {
    value: adminKey
  }
}

resource elasticsearch 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(elasticsearchApiKey)) {
  parent: vault
  name: 'elasticsearch-api-key'
  properties: {
    value: elasticsearchApiKey
  }
}

resource smtp 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(smtpPassword)) {
  parent: vault
  name: 'smtp-password'
  properties: {
    value: smtpPassword
  }
}

resource readSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, readerPrincipalId, keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: readerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource operatorSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(vault.id, operatorPrincipalId, keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: operatorPrincipalId
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
output adminKeySecretUri string = admin.properties.secretUri
// Versionless secret URIs (Key Vault references then follow rotations); the secrets exist only when a value was given.
output elasticsearchSecretUri string = '${vault.properties.vaultUri}secrets/elasticsearch-api-key'
output smtpSecretUri string = '${vault.properties.vaultUri}secrets/smtp-password'
