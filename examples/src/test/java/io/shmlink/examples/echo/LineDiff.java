package io.shmlink.examples.echo;

import java.util.List;

/**
 * How many lines two texts do not share: a longest common subsequence over whole lines, as {@code diff} finds.
 */
final class LineDiff
{
    private LineDiff()
    {
    }

    /**
     * The lines of each text outside a longest common subsequence of the two.
     *
     * @return {lines only in {@code from} (deleted), lines only in {@code to} (added)}.
     */
    static int[] changedLines(final List<String> from, final List<String> to)
    {
        final int[][] common = new int[from.size() + 1][to.size() + 1];
        for (int i = from.size() - 1; i >= 0; i--)
        {
            for (int j = to.size() - 1; j >= 0; j--)
            {
                common[i][j] = from.get(i).equals(to.get(j)) ?
                    common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        final int shared = common[0][0];
        return new int[] {from.size() - shared, to.size() - shared};
    }
}
