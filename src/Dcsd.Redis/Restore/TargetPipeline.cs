using System.Text;
using System.Threading.Channels;

namespace Dcsd.Redis.Restore;

/// <summary>
/// Pipelined commands to one target connection: commands accumulate in a buffer flushed every <c>flushBytes</c>,
/// a reader task matches replies to commands in order, and the writer waits while more than <c>maxBytesInFlight</c>
/// bytes are sent but unanswered, so neither side's memory grows with the file. The first error reply stops the restore
/// with a <see cref="RestoreException"/> naming the command, the key and the reply.
/// </summary>
internal sealed class TargetPipeline : IRestoreCommandSink, IAsyncDisposable
{
    private readonly TargetConnection _connection;
    private readonly RespCommandBuffer _buffer = new();
    // Commands are handed to the reply reader one flush at a time: a hand-over per command would wake the reader
    // thread per command whenever it has caught up with the target.
    private readonly Channel<List<(RestoreCommandInfo Command, int Bytes)>> _pending = Channel.CreateUnbounded<List<(RestoreCommandInfo, int)>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private List<(RestoreCommandInfo Command, int Bytes)> _unsent = [];
    private readonly SemaphoreSlim _progress = new(0);
    private readonly CancellationTokenSource _stop;
    private readonly Task _replyLoop;
    private readonly int _flushBytes;
    private readonly long _maxBytesInFlight;
    private int _commandStart;
    private long _inFlight;
    private int _writerWaiting;
    private long _wakeAtOrBelow;
    private long _lastReplyTicks = Environment.TickCount64;
    private volatile RestoreException? _fault;

    public TargetPipeline(TargetConnection connection, long maxBytesInFlight, int flushBytes, CancellationToken cancellationToken)
    {
        _connection = connection;
        _maxBytesInFlight = maxBytesInFlight;
        _flushBytes = flushBytes;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _replyLoop = Task.Run(() => ReadRepliesAsync(_stop.Token), CancellationToken.None);
    }

    /// <summary>Commands answered without error so far.</summary>
    public long Acknowledged { get; private set; }

    public RespCommandBuffer Begin(byte[]? routingKey)
    {
        _commandStart = _buffer.Length;
        return _buffer;
    }

    public async ValueTask CommitAsync(RestoreCommandInfo command, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        int bytes = _buffer.Length - _commandStart;
        _unsent.Add((command, bytes));
        if (_buffer.Length >= _flushBytes)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        while (Volatile.Read(ref _inFlight) > 0)
        {
            await WaitForRepliesAsync(0, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFaulted();
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length > 0)
        {
            // The reader must know what the replies belong to before they can arrive.
            long bytes = 0;
            foreach ((RestoreCommandInfo _, int commandBytes) in _unsent)
            {
                bytes += commandBytes;
            }

            Interlocked.Add(ref _inFlight, bytes);
            _pending.Writer.TryWrite(_unsent);
            _unsent = new List<(RestoreCommandInfo, int)>(_unsent.Count);
            try
            {
                await _connection.WriteAsync(_buffer.Written, cancellationToken).ConfigureAwait(false);
            }
            catch (RestoreException) when (_fault is not null)
            {
                // The target closed the link after an error reply: report that reply, not the broken pipe.
                ThrowIfFaulted();
            }

            _buffer.Clear();
        }

        // Once the window is full, wait until half of it is answered: waking on every reply would ping-pong the
        // writer and the reader thread per command.
        if (Volatile.Read(ref _inFlight) > _maxBytesInFlight)
        {
            while (Volatile.Read(ref _inFlight) > _maxBytesInFlight / 2)
            {
                await WaitForRepliesAsync(_maxBytesInFlight / 2, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitForRepliesAsync(long wakeAtOrBelow, CancellationToken cancellationToken)
    {
        ThrowIfFaulted();
        Volatile.Write(ref _wakeAtOrBelow, wakeAtOrBelow);
        Volatile.Write(ref _writerWaiting, 1);
        if (Volatile.Read(ref _inFlight) <= wakeAtOrBelow || _fault is not null)
        {
            return;
        }

        // Wake up at least every second to check the idle timeout: a target that stops answering must not hang us.
        if (!await _progress.WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false)
            && TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastReplyTicks)) > _connection.Target.IdleTimeout)
        {
            throw new RestoreException(RestoreFailure.Timeout, $"{_connection.Target} answered nothing for {_connection.Target.IdleTimeout}");
        }
    }

    private async Task ReadRepliesAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_pending.Reader.TryRead(out List<(RestoreCommandInfo Command, int Bytes)>? batch))
                {
                    foreach ((RestoreCommandInfo Command, int Bytes) next in batch)
                    {
                        RespReply reply = await _connection.Replies.ReadAsync(cancellationToken).ConfigureAwait(false);
                        Volatile.Write(ref _lastReplyTicks, Environment.TickCount64);
                        if (reply.IsError)
                        {
                            _fault = Rejection(next.Command, reply.Text);
                            return;
                        }

                        Acknowledged++;
                        long inFlight = Interlocked.Add(ref _inFlight, -next.Bytes);
                        if (inFlight <= Volatile.Read(ref _wakeAtOrBelow) && Interlocked.Exchange(ref _writerWaiting, 0) == 1)
                        {
                            _progress.Release();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed or the caller gave up.
        }
        catch (RestoreException ex)
        {
            _fault = ex;
        }
        finally
        {
            _progress.Release();
        }
    }

    private RestoreException Rejection(RestoreCommandInfo command, string? reply)
    {
        string what = command.Key is null ? command.Verb : $"{command.Verb} of key {Describe(command.Key)} (db {command.Db})";
        return TargetConnection.RejectionOf(_connection.Target, what, reply);
    }

    private void ThrowIfFaulted()
    {
        if (_fault is { } fault)
        {
            throw new RestoreException(fault.Reason, fault.Message, fault);
        }
    }

    /// <summary>A key as text for messages: printable ASCII kept, other bytes as \xNN, cut at 120 characters.</summary>
    internal static string Describe(byte[] key)
    {
        var text = new StringBuilder("'");
        foreach (byte b in key.AsSpan(0, Math.Min(key.Length, 120)))
        {
            if (b is >= 0x20 and < 0x7f && b != (byte)'\\' && b != (byte)'\'')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.Append(key.Length > 120 ? "'…" : "'").ToString();
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _replyLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // expected on cancellation
        }

        _buffer.Dispose();
        _progress.Dispose();
        _stop.Dispose();
    }
}
