using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Platform.Functions.Http;

namespace Platform.Functions;

/// <summary>Turns exceptions of HTTP functions into RFC 7807 problem responses, so handlers stay clean.</summary>
internal sealed class ProblemDetailsMiddleware : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { } http && Problems.TryMap(ex) is { } problem)
        {
            await problem.ExecuteAsync(http);
        }
    }
}
