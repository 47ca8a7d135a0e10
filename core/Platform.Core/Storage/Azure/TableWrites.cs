using Azure;
using Azure.Data.Tables;

namespace Platform.Core.Storage.Azure;

/// <summary>A write on a version: add when there is none, replace when the entity is still at it; a lost race is null.</summary>
internal static class TableWrites
{
    public static async Task<string?> TryWriteAsync(TableClient table, TableEntity entity, string? version, string guarded, CancellationToken cancellationToken)
    {
        try
        {
            var response = version is null
                ? await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false)
                : await table.UpdateEntityAsync(entity, new ETag(version), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return TableVersion.Of(response.Headers.ETag, guarded);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412 || (e.Status == 404 && version is not null))
        {
            // 404 on a versioned replace: the row was deleted since it was read, which is a lost race too.
            return null;
        }
    }
}
