// The Function App on the Flex Consumption plan (FC1), .NET 10 isolated worker, running as the user-assigned identity.
@description('Name prefix of the resources.')
param name string

@description('Region.')
param location string

@description('The user-assigned identity (resource id and client id).')
param identityId string
param identityClientId string

@description('The host storage account (AzureWebJobsStorage, deployment packages, wake-up queue).')
param hostStorageName string
param hostBlobEndpoint string

@description('Container of deployment packages in the host storage account.')
param deploymentContainer string

@description('Most instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, MB (2048 or 4096).')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Always-ready HTTP instances (0: scale to zero).')
@minValue(0)
param alwaysReadyHttp int = 0

@description('App settings: name/value objects.')
param appSettings array

@description('Tags of the Function App (azd finds the service to deploy to by azd-service-name).')
param tags object = {}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostBlobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: alwaysReadyHttp > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyHttp
          }
        ] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        {
          name: 'AzureWebJobsStorage__accountName'
          value: hostStorageName
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
      ], appSettings)
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
