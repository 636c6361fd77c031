/* group-kernels.c — the kernels of the per-group indexes (see
 * group-index.h): cluster scores for a block of windows, the selection of
 * the clusters in a range of bins, and the fold of a cluster's members
 * into a window's softmax.  Portable versions (eight-lane loops the
 * compiler vectorises), AVX2 + FMA, and AVX-512 with the whole visit of a
 * block of windows in one call; adiff__group_kernels picks them. */
#include <math.h>
#include "index/group-index.h"

/* score[c] = −log of cluster c's estimated weight (cluster_spreads). */
typedef void (*ScoreFunc) (const AnaCoordIndex *ix, const float *zm, float *score);

ADIFF_HOT static void
centre_scores_plain (const AnaCoordIndex *ix, const float *zm, float *score)
{
  guint nc = ix->nc;
  float zz = 0.0f;
  for (guint j = 0; j < ix->m; j++)
    zz += zm[j] * zm[j];
  for (guint c = 0; c < nc; c++)
    score[c] = ix->cnorm[c] + zz;
  for (guint j = 0; j < ix->m; j++)
    {
      float t = -2.0f * zm[j];
      const float *row = ix->cent + (gsize) j * nc;
      for (guint c = 0; c < nc; c++)
        score[c] += t * row[c];
    }
  for (guint c = 0; c < nc; c++)
    score[c] = ix->cb[c] * MAX (score[c], 0.0f) + ix->ca[c];
  for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
    {
      float *proj = score + adiff__pad8 (nc) * (k + 1);
      const float *fc = ix->dirc + (gsize) k * nc;
      for (guint c = 0; c < nc; c++)
        proj[c] = -fc[c];
      for (guint j = 0; j < ix->m; j++)
        {
          float t = zm[j];
          const float *row = ix->dir + ((gsize) k * ix->m + j) * nc;
          for (guint c = 0; c < nc; c++)
            proj[c] += t * row[c];
        }
      for (guint c = 0; c < nc; c++)
        score[c] -= proj[c] * proj[c];
    }
}

static inline void
scores_each (ScoreFunc one, const AnaCoordIndex *ix, const float *zm, gsize zstride,
             guint nwin, float *score, gsize sstride)
{
  for (guint w = 0; w < nwin; w++)
    one (ix, zm + w * zstride, score + w * sstride);
}

static void
scores_plain (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
              float *score, gsize sstride)
{
  scores_each (centre_scores_plain, ix, zm, zstride, nwin, score, sstride);
}

#if ADIFF_SIMD_X86
#define AVX2_FMA ADIFF_TARGET_AVX2_FMA

G_STATIC_ASSERT (SPREAD_DIRECTIONS == 2);

/* Clusters c0..c0+7: the three sums (distance, two projections) stay in
 * registers across the coordinates instead of a pass over score[] each. */
AVX2_FMA static inline __m256
scores8_fma (const AnaCoordIndex *ix, const float *zm, float zz, guint c)
{
  guint nc = ix->nc, m = ix->m;
  const float *d0 = ix->dir, *d1 = ix->dir + (gsize) m * nc;
  __m256 sc = _mm256_add_ps (_mm256_loadu_ps (ix->cnorm + c), _mm256_set1_ps (zz));
  __m256 p0 = _mm256_sub_ps (_mm256_setzero_ps (), _mm256_loadu_ps (ix->dirc + c));
  __m256 p1 = _mm256_sub_ps (_mm256_setzero_ps (), _mm256_loadu_ps (ix->dirc + nc + c));
  for (guint j = 0; j < m; j++)
    {
      gsize o = (gsize) j * nc + c;
      __m256 zj = _mm256_set1_ps (zm[j]);
      sc = _mm256_fmadd_ps (_mm256_set1_ps (-2.0f * zm[j]), _mm256_loadu_ps (ix->cent + o), sc);
      p0 = _mm256_fmadd_ps (zj, _mm256_loadu_ps (d0 + o), p0);
      p1 = _mm256_fmadd_ps (zj, _mm256_loadu_ps (d1 + o), p1);
    }
  sc = _mm256_max_ps (sc, _mm256_setzero_ps ());
  sc = _mm256_fmadd_ps (_mm256_loadu_ps (ix->cb + c), sc, _mm256_loadu_ps (ix->ca + c));
  sc = _mm256_fnmadd_ps (p0, p0, sc);
  return _mm256_fnmadd_ps (p1, p1, sc);
}

AVX2_FMA static void
centre_scores_fma (const AnaCoordIndex *ix, const float *zm, float *score)
{
  guint nc = ix->nc, m = ix->m, c = 0;
  float zz = 0.0f;
  for (guint j = 0; j < m; j++)
    zz += zm[j] * zm[j];
  /* Two blocks at a time: six independent chains of multiply-adds. */
  for (; c + 16 <= nc; c += 16)
    {
      __m256 a = scores8_fma (ix, zm, zz, c), b = scores8_fma (ix, zm, zz, c + 8);
      _mm256_storeu_ps (score + c, a);
      _mm256_storeu_ps (score + c + 8, b);
    }
  for (; c + 8 <= nc; c += 8)
    _mm256_storeu_ps (score + c, scores8_fma (ix, zm, zz, c));
  for (; c < nc; c++)
    {
      float sc = ix->cnorm[c] + zz, p[SPREAD_DIRECTIONS];
      for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
        p[k] = -ix->dirc[(gsize) k * nc + c];
      for (guint j = 0; j < m; j++)
        {
          sc += -2.0f * zm[j] * ix->cent[(gsize) j * nc + c];
          for (guint k = 0; k < SPREAD_DIRECTIONS; k++)
            p[k] += zm[j] * ix->dir[((gsize) k * m + j) * nc + c];
        }
      score[c] = ix->cb[c] * MAX (sc, 0.0f) + ix->ca[c] - p[0] * p[0] - p[1] * p[1];
    }
}

static void
scores_fma (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
            float *score, gsize sstride)
{
  scores_each (centre_scores_fma, ix, zm, zstride, nwin, score, sstride);
}

#endif

ADIFF_HOT static guint
select_plain (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out)
{
  guint n = 0;
  for (guint c = 0; c < nc; c++)
    {
      out[n] = c;
      n += bin[c] >= lo && bin[c] < hi;
    }
  return n;
}

ADIFF_HOT static void
distances_plain (const guint8 *blk, gsize p, const float *zs, guint m, float *dist)
{
  for (gsize i = 0; i < p; i += 8)
    for (int k = 0; k < 8; k++)
      dist[i + k] = 0.0f;
  for (guint j = 0; j < m; j++)
    {
      const guint8 *r = blk + j * p;
      float zj = zs[j];
      for (gsize i = 0; i < p; i += 8)
        for (int k = 0; k < 8; k++)
          {
            float t = zj - (float) r[i + k];
            dist[i + k] += t * t;
          }
    }
}

ADIFF_HOT static float
weighted_row (const float *w, const guint8 *r, gsize p)
{
  float lanes[8] = { 0 };
  for (gsize i = 0; i < p; i += 8)
    for (int k = 0; k < 8; k++)
      lanes[k] += w[i + k] * (float) r[i + k];
  return (((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
          + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]))) * (1.0f / 255.0f);
}

/* The new running maximum for a cluster whose nearest member is at
 * squared distance lo; sets *scale to the factor for the old sums. */
static inline float
raise_max (Softmax *sm, float lo, float inv, double *scale)
{
  float m = MAX (sm->gmax, -lo * inv);
  /* Most clusters leave the maximum as it is (a new record is rare). */
  if (m == sm->gmax)
    *scale = 1.0;
  else
    *scale = sm->gmax == -G_MAXFLOAT ? 0.0 : (double) adiff__exp_neg (sm->gmax - m);
  sm->gmax = m;
  return m;
}

static double
fold_plain (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
            const guint32 *row_of, gsize nmem, float *dist, float *w, Softmax *sm)
{
  gsize p = adiff__pad8 (cnt);
  distances_plain (blk, p, zs, m, dist);
  for (gsize i = cnt; i < p; i++)
    dist[i] = G_MAXFLOAT;        /* padding: weight 0 */
  double scale;
  float mx = raise_max (sm, adiff__smallest (dist, p), inv, &scale);
  double sum = adiff__exp_weights (dist, p, inv, mx, w);
  sm->sum = sm->sum * scale + sum;
  for (gsize j = 0; j < nmem; j++)
    sm->acc[j] = sm->acc[j] * scale + weighted_row (w, blk + (gsize) row_of[j] * p, p);
  return sum;
}

#if ADIFF_SIMD_X86
/* AVX2 + FMA: sixteen members at a time, their sums kept in registers
 * across the rows, one fused multiply-add per row.  target_clones cannot
 * ask for AVX2 and FMA together without naming a CPU model, so these are
 * chosen by hand (pick_fold). */
AVX2_FMA static inline void
distances_fma (const guint8 *blk, gsize p, const float *zs, guint m, float *dist)
{
  gsize i = 0;
  for (; i + 16 <= p; i += 16)
    {
      __m256 a0 = _mm256_setzero_ps (), a1 = _mm256_setzero_ps ();
      for (guint j = 0; j < m; j++)
        {
          __m256 zj = _mm256_set1_ps (zs[j]);
          __m128i b = _mm_loadu_si128 ((const __m128i *) (blk + j * p + i));
          __m256 x0 = _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b));
          __m256 x1 = _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (_mm_srli_si128 (b, 8)));
          __m256 t0 = _mm256_sub_ps (zj, x0), t1 = _mm256_sub_ps (zj, x1);
          a0 = _mm256_fmadd_ps (t0, t0, a0);
          a1 = _mm256_fmadd_ps (t1, t1, a1);
        }
      _mm256_storeu_ps (dist + i, a0);
      _mm256_storeu_ps (dist + i + 8, a1);
    }
  for (; i < p; i += 8)
    {
      __m256 a0 = _mm256_setzero_ps ();
      for (guint j = 0; j < m; j++)
        {
          __m256 zj = _mm256_set1_ps (zs[j]);
          __m128i b = _mm_loadl_epi64 ((const __m128i *) (blk + j * p + i));
          __m256 t0 = _mm256_sub_ps (zj, _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b)));
          a0 = _mm256_fmadd_ps (t0, t0, a0);
        }
      _mm256_storeu_ps (dist + i, a0);
    }
}

AVX2_FMA static inline float
hsum_fma (__m256 v)
{
  __m128 s = _mm_add_ps (_mm256_castps256_ps128 (v), _mm256_extractf128_ps (v, 1));
  s = _mm_add_ps (s, _mm_movehl_ps (s, s));
  s = _mm_add_ss (s, _mm_shuffle_ps (s, s, 1));
  return _mm_cvtss_f32 (s);
}

/* One call per cluster instead of five: distances, their minimum, then
 * weights and weighted member sums in a single pass over the distances
 * (still in L1). */
AVX2_FMA static double
fold_fma (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
          const guint32 *row_of, gsize nmem, float *dist, float *w, Softmax *sm)
{
  if (nmem > FOLD_MAX_MEMBERS)
    return fold_plain (blk, cnt, zs, m, inv, row_of, nmem, dist, w, sm);
  gsize p = adiff__pad8 (cnt);
  distances_fma (blk, p, zs, m, dist);
  for (gsize i = cnt; i < p; i++)
    dist[i] = G_MAXFLOAT;        /* padding: weight 0 */
  __m256 lo = _mm256_loadu_ps (dist);
  for (gsize i = 8; i < p; i += 8)
    lo = _mm256_min_ps (lo, _mm256_loadu_ps (dist + i));
  __m128 l4 = _mm_min_ps (_mm256_castps256_ps128 (lo), _mm256_extractf128_ps (lo, 1));
  l4 = _mm_min_ps (l4, _mm_movehl_ps (l4, l4));
  l4 = _mm_min_ss (l4, _mm_shuffle_ps (l4, l4, 1));
  double scale;
  float mx = raise_max (sm, _mm_cvtss_f32 (l4), inv, &scale);

  __m256 total = _mm256_setzero_ps (), acc[FOLD_MAX_MEMBERS];
  const guint8 *rows[FOLD_MAX_MEMBERS];
  for (gsize j = 0; j < nmem; j++)
    {
      acc[j] = _mm256_setzero_ps ();
      rows[j] = blk + (gsize) row_of[j] * p;
    }
  for (gsize i = 0; i < p; i += 8)
    {
      AdiffV8f v;
      memcpy (&v, dist + i, sizeof v);
      v = -v * inv - mx;
      adiff__exp_neg8 (&v);
      __m256 wv = (__m256) v;
      total = _mm256_add_ps (total, wv);
      for (gsize j = 0; j < nmem; j++)
        {
          __m128i b = _mm_loadl_epi64 ((const __m128i *) (rows[j] + i));
          acc[j] = _mm256_fmadd_ps (wv, _mm256_cvtepi32_ps (_mm256_cvtepu8_epi32 (b)), acc[j]);
        }
    }
  double sum = hsum_fma (total);
  sm->sum = sm->sum * scale + sum;
  for (gsize j = 0; j < nmem; j++)
    sm->acc[j] = sm->acc[j] * scale + hsum_fma (acc[j]) * (1.0f / 255.0f);
  (void) w;
  return sum;
}

/* AVX-512 (two 512-bit pipes on the machines we measure): the scores
 * sixteen lanes wide, and the whole visit of a window and group in one
 * call (visit_avx512).  A cluster is folded in chunks of up to 128 members
 * whose distances stay in eight registers; most clusters are one chunk.
 * Groups of more than FOLD_MAX_MEMBERS members take the portable fold. */
#define AVX512 ADIFF_TARGET_AVX512
#define CHUNK_VECTORS 8

/* The lanes of the k-th vector of a chunk of n members. */
AVX512 static inline __mmask16
lanes16 (gsize n, guint k)
{
  gsize left = n > 16 * k ? n - 16 * k : 0;
  return left >= 16 ? (__mmask16) 0xFFFF : (__mmask16) ((1u << left) - 1);
}

/* Sixteen members' bytes of one row as floats; the last vector of a
 * chunk is loaded under its mask (the row may end, or the index). */
AVX512 static inline __m512
row16 (const guint8 *r, __mmask16 k)
{
  return _mm512_cvtepi32_ps (_mm512_cvtepu8_epi32 (_mm_maskz_loadu_epi8 (k, r)));
}

AVX512 static inline __m512
add_square16 (__m512 a, __m512 zj, const guint8 *r, __mmask16 k)
{
  /* Sixteen bytes whatever the mask (a load the conversion takes as its
   * operand): the lanes past the cluster's members read their neighbours
   * or the slack, and are masked out of the weights. */
  __m512 t = _mm512_sub_ps (zj, _mm512_cvtepi32_ps (_mm512_cvtepu8_epi32 (
                                  _mm_loadu_si128 ((const __m128i *) r))));
  return _mm512_fmadd_ps (t, t, a);
}

/* select_plain with compress: sixteen clusters per compare. */
AVX512 static guint
select_avx512 (const guint16 *bin, guint nc, guint lo, guint hi, guint32 *out)
{
  __m512i idx = _mm512_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512i l = _mm512_set1_epi32 ((int) lo), h = _mm512_set1_epi32 ((int) hi);
  guint n = 0;
  for (guint c = 0; c < nc; c += 16)
    {
      __mmask16 k = lanes16 (nc - c, 0);
      __m512i v = _mm512_cvtepu16_epi32 (_mm256_maskz_loadu_epi16 (k, bin + c));
      __mmask16 in = _mm512_mask_cmpge_epi32_mask (k, v, l) & _mm512_cmplt_epi32_mask (v, h);
      _mm512_storeu_si512 (out + n, _mm512_maskz_compress_epi32 (in, idx));
      n += (guint) __builtin_popcount (in);
      idx = _mm512_add_epi32 (idx, _mm512_set1_epi32 (16));
    }
  return n;
}

/* nv is a constant where this is inlined, so the row loop has no
 * branches and the sums stay in registers. */
AVX512 static inline __attribute__ ((always_inline)) void
chunk_distances (const guint8 *blk, gsize p, const float *zs, guint m, guint nv,
                 const __mmask16 *mk, __m512 *a)
{
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    a[k] = _mm512_setzero_ps ();
  for (guint j = 0; j < m; j++)
    {
      const guint8 *r = blk + j * p;
      __m512 zj = _mm512_set1_ps (zs[j]);
      #pragma GCC unroll 8
      for (guint k = 0; k < nv; k++)
        a[k] = add_square16 (a[k], zj, r + 16 * k, mk[k]);
    }
}

/* The softmax of one window and group kept lane by lane: sixteen
 * running sums of weights (and of weighted member values) in double, all
 * relative to one running maximum logit `ref`.  A chunk's weights need
 * no horizontal sum and no new maximum unless one of its logits exceeds
 * ref, which is rare (clusters past the first few seldom hold a new
 * record): the per-cluster minimum, sums and rescaling were a long chain
 * of dependent steps after every cluster, which the next cluster's
 * distances could not hide. */
typedef struct
{
  float   ref;
  __m512d sum[2], bin[2], acc[FOLD_MAX_MEMBERS][2];
} LaneSoftmax;

AVX512 static inline void
add_lanes (__m512d *d, __m512 v)
{
  d[0] = _mm512_add_pd (d[0], _mm512_cvtps_pd (_mm512_castps512_ps256 (v)));
  d[1] = _mm512_add_pd (d[1], _mm512_cvtps_pd (_mm512_extractf32x8_ps (v, 1)));
}

AVX512 static inline void
scale_lanes (__m512d *d, __m512d f)
{
  d[0] = _mm512_mul_pd (d[0], f);
  d[1] = _mm512_mul_pd (d[1], f);
}

AVX512 static inline double
sum_lanes (const __m512d *d)
{
  return _mm512_reduce_add_pd (_mm512_add_pd (d[0], d[1]));
}

/* Raises ref to the largest logit of the chunk (x: nv vectors of
 * logits, under their masks) and rescales every sum. */
AVX512 static __attribute__ ((noinline)) void
raise_ref (LaneSoftmax *ls, const __m512 *x, const __mmask16 *mk, guint nv, gsize nmem)
{
  __m512 hi = _mm512_set1_ps (-G_MAXFLOAT);
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    hi = _mm512_mask_max_ps (hi, mk[k], hi, x[k]);
  float top = _mm512_reduce_max_ps (hi);
  double f = ls->ref == -G_MAXFLOAT ? 0.0 : exp ((double) ls->ref - top);
  __m512d fv = _mm512_set1_pd (f);
  scale_lanes (ls->sum, fv);
  scale_lanes (ls->bin, fv);
  for (gsize j = 0; j < nmem; j++)
    scale_lanes (ls->acc[j], fv);
  ls->ref = top;
}

/* One chunk of n ≤ 16·CHUNK_VECTORS members at i0 into the lanes.  nv and nmem are
 * constants where this is inlined. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_chunk (const guint8 *blk, gsize p, gsize i0, gsize n, guint nv, const float *zs,
            guint m, float inv, const guint32 *row_of, gsize nmem, LaneSoftmax *ls)
{
  __mmask16 mk[CHUNK_VECTORS], over = 0;
  __m512 x[CHUNK_VECTORS];
  #pragma GCC unroll 8
  for (guint k = 0; k < CHUNK_VECTORS; k++)
    mk[k] = lanes16 (n, k);
  chunk_distances (blk + i0, p, zs, m, nv, mk, x);
  __m512 ref = _mm512_set1_ps (ls->ref);
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    {
      x[k] = _mm512_mul_ps (x[k], _mm512_set1_ps (-inv));
      over |= _mm512_mask_cmp_ps_mask (mk[k], x[k], ref, _CMP_GT_OQ);
    }
  if (G_UNLIKELY (over))
    {
      raise_ref (ls, x, mk, nv, nmem);
      ref = _mm512_set1_ps (ls->ref);
    }
  __m512 total = _mm512_setzero_ps (), acc[FOLD_MAX_MEMBERS];
  for (gsize j = 0; j < nmem; j++)
    acc[j] = _mm512_setzero_ps ();
  #pragma GCC unroll 8
  for (guint k = 0; k < nv; k++)
    {
      AdiffV16f v = (AdiffV16f) _mm512_sub_ps (x[k], ref);
      adiff__exp_neg16 (&v);
      __m512 wv = _mm512_maskz_mov_ps (mk[k], (__m512) v);
      total = _mm512_add_ps (total, wv);
      for (gsize j = 0; j < nmem; j++)
        acc[j] = _mm512_fmadd_ps (wv, row16 (blk + (gsize) row_of[j] * p + i0 + 16 * k,
                                              mk[k]), acc[j]);
    }
  add_lanes (ls->sum, total);
  add_lanes (ls->bin, total);
  for (gsize j = 0; j < nmem; j++)
    add_lanes (ls->acc[j], acc[j]);
}

AVX512 static inline __attribute__ ((always_inline)) void
lane_cluster (const guint8 *blk, gsize cnt, const float *zs, guint m, float inv,
              const guint32 *row_of, gsize nmem, LaneSoftmax *ls)
{
  gsize p = adiff__pad8 (cnt);
  for (gsize i0 = 0; i0 < cnt; i0 += 16 * CHUNK_VECTORS)
    {
      gsize n = MIN (cnt - i0, 16 * CHUNK_VECTORS);
      switch ((n + 15) / 16)
        {
        case 1: lane_chunk (blk, p, i0, n, 1, zs, m, inv, row_of, nmem, ls); break;
        case 2: lane_chunk (blk, p, i0, n, 2, zs, m, inv, row_of, nmem, ls); break;
        case 3: lane_chunk (blk, p, i0, n, 3, zs, m, inv, row_of, nmem, ls); break;
        case 4: lane_chunk (blk, p, i0, n, 4, zs, m, inv, row_of, nmem, ls); break;
        case 5: lane_chunk (blk, p, i0, n, 5, zs, m, inv, row_of, nmem, ls); break;
        case 6: lane_chunk (blk, p, i0, n, 6, zs, m, inv, row_of, nmem, ls); break;
        case 7: lane_chunk (blk, p, i0, n, 7, zs, m, inv, row_of, nmem, ls); break;
        default: lane_chunk (blk, p, i0, n, 8, zs, m, inv, row_of, nmem, ls); break;
        }
    }
}

/* The clusters of window w's bins [lo, hi) into its lanes; returns their
 * members. */
AVX512 static inline __attribute__ ((always_inline)) gsize
lane_bins (const AnaCoordIndex *ix, CoordScratch *sc, guint w, guint lo, guint hi,
           float inv, gsize nmem, LaneSoftmax *ls)
{
  gsize have = 0;
  guint n = select_avx512 (slot_bin (sc, w), ix->nc, lo, hi, sc->ord);
  for (guint k = 0; k < n; k++)
    {
      guint c = sc->ord[k];
      gsize cnt = ix->count[c];
      lane_cluster (ix->vals + ix->offset[c], cnt, slot_zs (sc, w), ix->m, inv, ix->row_of,
                    nmem, ls);
      have += cnt;
    }
  return have;
}

/* The clusters of the bins before each window's budget bin, for all the
 * block's windows in one pass in index order: a cluster that several of
 * them take is read once for all (from memory, the bytes of a group's
 * index are about a megabyte), and the next ones are where the hardware
 * expects them. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_first_bins (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
                 float inv, gsize nmem, LaneSoftmax *ls, gsize *have)
{
  guint nc = ix->nc;
  for (guint c0 = 0; c0 < nc; c0 += 16)
    {
      __mmask16 k = lanes16 (nc - c0, 0), take[SCORE_WINDOWS], any = 0;
      for (guint w = 0; w < nwin; w++)
        {
          __m512i b = _mm512_cvtepu16_epi32 (_mm256_maskz_loadu_epi16 (k, slot_bin (sc, w) + c0));
          take[w] = _mm512_mask_cmplt_epi32_mask (k, b, _mm512_set1_epi32 ((int) last[w]));
          any |= take[w];
        }
      for (; any; any &= any - 1)
        {
          guint i = (guint) __builtin_ctz (any), c = c0 + i;
          gsize cnt = ix->count[c];
          const guint8 *blk = ix->vals + ix->offset[c];
          for (guint w = 0; w < nwin; w++)
            if (take[w] >> i & 1)
              {
                lane_cluster (blk, cnt, slot_zs (sc, w), ix->m, inv, ix->row_of, nmem, &ls[w]);
                have[w] += cnt;
              }
        }
    }
}

/* coord_block's visit with the lanes (same clusters, same stopping
 * rule); writes Σ w·x per member of window w into acc[w·nmem …] and Σ w
 * into sum[w]. */
AVX512 static inline __attribute__ ((always_inline)) void
lane_visit (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
            gsize cap, double tail, float inv, gsize nmem, double *acc, double *sum)
{
  LaneSoftmax ls[SCORE_WINDOWS];
  gsize have[SCORE_WINDOWS];
  for (guint w = 0; w < nwin; w++)
    {
      ls[w].ref = -G_MAXFLOAT;
      ls[w].sum[0] = ls[w].sum[1] = _mm512_setzero_pd ();
      for (gsize j = 0; j < nmem; j++)
        ls[w].acc[j][0] = ls[w].acc[j][1] = _mm512_setzero_pd ();
      have[w] = 0;
    }
  lane_first_bins (ix, sc, nwin, last, inv, nmem, ls, have);
  for (guint w = 0; w < nwin; w++)
    {
      /* Then bin by bin while the last one still adds weight. */
      for (guint b = last[w]; b < SELECT_BINS && have[w] < cap; b++)
        {
          ls[w].bin[0] = ls[w].bin[1] = _mm512_setzero_pd ();
          have[w] += lane_bins (ix, sc, w, b, b + 1, inv, nmem, &ls[w]);
          if (sum_lanes (ls[w].bin) <= tail * sum_lanes (ls[w].sum))
            break;
        }
      for (gsize j = 0; j < nmem; j++)
        acc[w * nmem + j] = sum_lanes (ls[w].acc[j]) * (1.0 / 255.0);
      sum[w] = sum_lanes (ls[w].sum);
    }
}

AVX512 static void
visit_avx512 (const AnaCoordIndex *ix, CoordScratch *sc, guint nwin, const guint *last,
              gsize cap, double tail, float inv, gsize nmem, double *acc, double *sum)
{
  if (nmem == 1)
    lane_visit (ix, sc, nwin, last, cap, tail, inv, 1, acc, sum);
  else
    lane_visit (ix, sc, nwin, last, cap, tail, inv, nmem, acc, sum);
}

/* Clusters c … c+15 under mask k, as scores8_fma, for SCORE_WINDOWS
 * windows at once: each row of centres and directions is read once for
 * all of them (a window at a time, the scores were bound by reading
 * those rows from L2: 3·m·nc floats per window and group). */
AVX512 static inline __attribute__ ((always_inline)) void
scores16_windows (const AnaCoordIndex *ix, const float *zm, gsize zstride, const float *zz,
                  guint c, __mmask16 k, float *score, gsize sstride)
{
  guint nc = ix->nc, m = ix->m;
  const float *d0 = ix->dir, *d1 = ix->dir + (gsize) m * nc;
  __m512 sc[SCORE_WINDOWS], p0[SCORE_WINDOWS], p1[SCORE_WINDOWS];
  __m512 cn = _mm512_maskz_loadu_ps (k, ix->cnorm + c);
  __m512 f0 = _mm512_maskz_loadu_ps (k, ix->dirc + c);
  __m512 f1 = _mm512_maskz_loadu_ps (k, ix->dirc + nc + c);
#pragma GCC unroll 8
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      sc[w] = _mm512_add_ps (cn, _mm512_set1_ps (zz[w]));
      p0[w] = _mm512_sub_ps (_mm512_setzero_ps (), f0);
      p1[w] = _mm512_sub_ps (_mm512_setzero_ps (), f1);
    }
  for (guint j = 0; j < m; j++)
    {
      gsize o = (gsize) j * nc + c;
      __m512 cj = _mm512_mul_ps (_mm512_maskz_loadu_ps (k, ix->cent + o),
                                 _mm512_set1_ps (-2.0f));
      __m512 a0 = _mm512_maskz_loadu_ps (k, d0 + o), a1 = _mm512_maskz_loadu_ps (k, d1 + o);
#pragma GCC unroll 8
      for (guint w = 0; w < SCORE_WINDOWS; w++)
        {
          __m512 zj = _mm512_set1_ps (zm[w * zstride + j]);
          sc[w] = _mm512_fmadd_ps (zj, cj, sc[w]);
          p0[w] = _mm512_fmadd_ps (zj, a0, p0[w]);
          p1[w] = _mm512_fmadd_ps (zj, a1, p1[w]);
        }
    }
  __m512 cb = _mm512_maskz_loadu_ps (k, ix->cb + c), ca = _mm512_maskz_loadu_ps (k, ix->ca + c);
#pragma GCC unroll 8
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      __m512 v = _mm512_fmadd_ps (cb, _mm512_max_ps (sc[w], _mm512_setzero_ps ()), ca);
      v = _mm512_fnmadd_ps (p0[w], p0[w], v);
      v = _mm512_fnmadd_ps (p1[w], p1[w], v);
      _mm512_mask_storeu_ps (score + w * sstride + c, k, v);
    }
}

/* Always SCORE_WINDOWS windows: the caller pads zm and score. */
AVX512 static void
scores_avx512 (const AnaCoordIndex *ix, const float *zm, gsize zstride, guint nwin,
               float *score, gsize sstride)
{
  guint nc = ix->nc, m = ix->m;
  float zz[SCORE_WINDOWS];
  for (guint w = 0; w < SCORE_WINDOWS; w++)
    {
      zz[w] = 0.0f;
      for (guint j = 0; j < m; j++)
        zz[w] += zm[w * zstride + j] * zm[w * zstride + j];
    }
  for (guint c = 0; c < nc; c += 16)
    scores16_windows (ix, zm, zstride, zz, c, lanes16 (nc - c, 0), score, sstride);
}

#endif

CoordKernels
adiff__group_kernels (void)
{
#if ADIFF_SIMD_X86
  switch (adiff__simd_level ())
    {
    case ADIFF__SIMD_AVX512:
      return (CoordKernels) { scores_avx512, select_avx512, fold_plain, visit_avx512 };
    case ADIFF__SIMD_AVX2:
      return (CoordKernels) { scores_fma, select_plain, fold_fma, NULL };
    case ADIFF__SIMD_PORTABLE:
      break;
    }
#endif
  return (CoordKernels) { scores_plain, select_plain, fold_plain, NULL };
}
