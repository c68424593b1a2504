using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dcsd.Redis.Processes;

/// <summary>
/// One-shot commands over a fresh loopback connection, for process supervision (PING, SHUTDOWN) where a
/// multiplexer would be too much: the server may not be up yet, or may be about to go.
/// </summary>
public static class RedisInlineClient
{
    /// <summary>True when the server answers PING with PONG (after AUTH when a password is given).</summary>
    public static async Task<bool> PingAsync(int port, string? password, CancellationToken cancellationToken = default)
    {
        try
        {
            string reply = await SendAsync(port, password, ["PING"], cancellationToken).ConfigureAwait(false);
            return reply.Contains("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>Sends AUTH (when a password is given) and the command; returns the raw reply text of both.</summary>
    public static async Task<string> SendAsync(int port, string? password, IReadOnlyList<string> command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token).ConfigureAwait(false);
        var stream = client.GetStream();
        var request = new StringBuilder();
        if (password is not null)
        {
            AppendCommand(request, ["AUTH", password]);
        }

        AppendCommand(request, command);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token).ConfigureAwait(false);
        var buffer = new byte[4096];
        int expectedReplies = password is null ? 1 : 2;
        var reply = new StringBuilder();
        while (CountReplies(reply) < expectedReplies)
        {
            int read = await stream.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return reply.ToString();
    }

    /// <summary>How many complete top-level RESP2 replies the text holds (replies here are small, line-safe values).</summary>
    private static int CountReplies(StringBuilder reply)
    {
        string text = reply.ToString();
        int end = text.LastIndexOf("\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return 0;
        }

        string[] lines = text[..end].Split("\r\n");
        int index = 0;
        int count = 0;
        while (index < lines.Length && TrySkipReply(lines, ref index))
        {
            count++;
        }

        return count;
    }

    private static bool TrySkipReply(string[] lines, ref int index)
    {
        if (index >= lines.Length || lines[index].Length == 0)
        {
            return false;
        }

        string line = lines[index++];
        switch (line[0])
        {
            case '$':
                if (line == "$-1")
                {
                    return true;
                }

                index++;
                return index <= lines.Length;
            case '*':
                int items = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                for (int i = 0; i < items; i++)
                {
                    if (!TrySkipReply(lines, ref index))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    private static void AppendCommand(StringBuilder request, IReadOnlyList<string> parts)
    {
        request.Append(CultureInfo.InvariantCulture, $"*{parts.Count}\r\n");
        foreach (string part in parts)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }
    }
}
