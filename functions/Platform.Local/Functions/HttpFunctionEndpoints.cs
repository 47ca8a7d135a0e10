using System.Globalization;
using System.Reflection;
using Platform.Functions.Http;
using Platform.Core.Ingestion;

namespace Platform.Local.Functions;

/// <summary>Serves HTTP-triggered functions on Kestrel: same routes, same classes, same results as the worker.</summary>
public static partial class HttpFunctionEndpoints
{
    /// <summary>Maps every HTTP function under <c>/{routePrefix}/</c>.</summary>
    public static void Map(IEndpointRouteBuilder endpoints, IEnumerable<LocalFunction> functions, string routePrefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (LocalFunction function in functions.Where(f => f.Trigger == "httpTrigger"))
        {
            string pattern = "/" + string.Join('/', new[] { routePrefix.Trim('/'), function.Route!.Trim('/') }.Where(s => s.Length > 0));
            endpoints.MapMethods(pattern, [.. function.HttpMethods.Select(m => m.ToUpperInvariant())], context => InvokeAsync(context, function))
                .WithName(function.Name);
        }
    }

    private static async Task InvokeAsync(HttpContext context, LocalFunction function)
    {
        MethodInfo method = function.Method;
        ILogger logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Local.Functions");
        try
        {
            object? instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.RequestServices, method.DeclaringType!);
            object? returned = method.Invoke(instance, Bind(context, method));
            object? result = returned is Task task ? await Unwrap(task) : returned;
            switch (result)
            {
                case IResult r:
                    await r.ExecuteAsync(context);
                    break;
                case null:
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    break;
                default:
                    throw new InvalidOperationException($"Function {function.Name} returned {result.GetType()}; HTTP functions return IResult.");
            }
        }
        catch (Exception ex) when (Problems.TryMap(Inner(ex)) is { } problem && !context.Response.HasStarted)
        {
            await problem.ExecuteAsync(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && Inner(ex) is not OperationCanceledException)
        {
            LogFunctionFailed(logger, Inner(ex), function.Name);
            await Problems.Problem(StatusCodes.Status500InternalServerError, "Internal error", "The request failed; the host's log has the details.").ExecuteAsync(context);
        }
    }

    private static Exception Inner(Exception ex) => ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;

    private static async Task<object?> Unwrap(Task task)
    {
        await task;
        return task.GetType().IsGenericType ? task.GetType().GetProperty("Result")!.GetValue(task) : null;
    }

    private static object?[] Bind(HttpContext context, MethodInfo method)
    {
        ParameterInfo[] parameters = method.GetParameters();
        var args = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            ParameterInfo p = parameters[i];
            Type type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            if (type == typeof(HttpRequest))
            {
                args[i] = context.Request;
            }
            else if (type == typeof(CancellationToken))
            {
                args[i] = context.RequestAborted;
            }
            else if (context.Request.RouteValues.TryGetValue(p.Name!, out object? raw) && raw is not null)
            {
                try
                {
                    args[i] = Convert.ChangeType(raw.ToString(), type, CultureInfo.InvariantCulture);
                }
                catch (FormatException)
                {
                    throw new BadRequestException($"Route value '{p.Name}' must be a {type.Name}.");
                }
            }
            else
            {
                throw new InvalidOperationException($"The local host cannot bind parameter '{p.Name}' of {method.DeclaringType?.Name}.{method.Name}.");
            }
        }

        return args;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogFunctionFailed(ILogger logger, Exception exception, string function);
}
