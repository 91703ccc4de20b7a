package io.shmlink.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class QuickStartTest
{
    @Test
    void theQuickStartSendsAndReceivesOneMessage()
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            QuickStart.main(new String[0]);
        }
        finally
        {
            System.setOut(original);
        }
        assertEquals("received: hello over shared memory", captured.toString(StandardCharsets.UTF_8).trim());
    }
}
