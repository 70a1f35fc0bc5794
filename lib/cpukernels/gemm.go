package cpukernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Blocking of the packed GEMM (the classic Goto/BLIS design): for each block of
// kcBlock steps of the contracted dimension, a task packs its block of A
// (≤ mcBlock rows) and of B (≤ ncBlock columns) into micro-panels, then runs the
// micro-kernel over every MR×NR tile. A B micro-panel (kcBlock×NR floats, 24 KiB
// for the AVX-512 kernel) stays in the L1 cache while the kernel walks down the
// A block, which stays in L2.
const (
	kcBlock = 192
	mcBlock = 192 // a multiple of every kernel's MR (12, 6, 4)
	ncBlock = 512 // a multiple of every kernel's NR (32, 16, 4)
)

// minParallelFlops is the size of product below which splitting it over
// goroutines costs more than it saves.
const minParallelFlops = 1 << 21

// matrices is a read-only view of a float32 tensor as a batch of matrices,
// read through offset tables so that any axis layout (batch axes anywhere,
// several contracting axes, transposed operands) needs no re-layout copy:
// element (b, r, c) is data[batch[b] + rows[r] + cols[c]].
type matrices struct {
	data              []float32
	batch, rows, cols []int
	// rowStride and colStride are s when rows[r] = r·s (cols[c] = c·s) for
	// every r (c), else 0: packing copies runs along a stride-1 axis.
	rowStride, colStride int
}

func newMatrices(data []float32, batch, rows, cols []int) matrices {
	m := matrices{data: data, batch: batch, rows: rows, cols: cols}
	m.rowStride, m.colStride = arithmeticStride(rows), arithmeticStride(cols)
	return m
}

// arithmeticStride returns s if offsets[i] = i·s for all i (s ≥ 1), else 0.
func arithmeticStride(offsets []int) int {
	if len(offsets) == 0 || offsets[0] != 0 {
		return 0
	}
	if len(offsets) == 1 {
		return 1
	}
	s := offsets[1]
	if s <= 0 {
		return 0
	}
	for i, off := range offsets {
		if off != i*s {
			return 0
		}
	}
	return s
}

// gemm computes out[b, i, j] = Σ_k a(b, i, k)·b(b, k, j) for every batch b,
// with out row-major [len(a.batch), len(a.rows), len(b.cols)], using kernel
// and at most workers goroutines. a.cols and b.rows index the same contracted
// dimension; a.batch and b.batch the same batch.
func gemm(kern *microKernel, a, b matrices, out []float32, workers int) {
	batch, m, n, k := len(a.batch), len(a.rows), len(b.cols), len(a.cols)
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(out[:batch*m*n])
		return
	}
	mc := min(mcBlock, roundUp(m, kern.mr))
	nc := min(ncBlock, roundUp(n, kern.nr))
	flops := 2 * batch * m * n * k
	if flops < minParallelFlops {
		workers = 1
	}
	tasksOf := func(mc, nc int) int { return batch * ceilDiv(m, mc) * ceilDiv(n, nc) }
	// With few tasks, smaller ones keep every worker busy: halve the larger
	// side (in tiles) while it stays a few tiles wide.
	for split := true; split && workers > 1 && tasksOf(mc, nc) < 2*workers; {
		switch {
		case nc/kern.nr >= mc/kern.mr && nc >= 4*kern.nr:
			nc = roundUp(nc/2, kern.nr)
		case mc >= 4*kern.mr:
			mc = roundUp(mc/2, kern.mr)
		case nc >= 2*kern.nr:
			nc = roundUp(nc/2, kern.nr)
		default:
			split = false
		}
	}
	g := gemmJob{kern: kern, a: a, b: b, out: out, m: m, n: n, k: k, mc: mc, nc: nc,
		mTasks: ceilDiv(m, mc), nTasks: ceilDiv(n, nc)}
	tasks := tasksOf(mc, nc)
	workers = max(1, min(workers, tasks))
	if workers == 1 {
		s := kern.getScratch()
		for t := range tasks {
			g.task(t, s)
		}
		kern.putScratch(s)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			s := kern.getScratch()
			defer kern.putScratch(s)
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks {
					return
				}
				g.task(t, s)
			}
		})
	}
	wg.Wait()
}

// gemmJob is one gemm call split into tasks: a task is an (mc × nc) block of
// the output of one batch element, computed over the whole contracted
// dimension.
type gemmJob struct {
	kern           *microKernel
	a, b           matrices
	out            []float32
	m, n, k        int
	mc, nc         int
	mTasks, nTasks int
}

func (g *gemmJob) task(t int, s *scratch) {
	kern := g.kern
	mr, nr := kern.mr, kern.nr
	jTask := t % g.nTasks
	iTask := (t / g.nTasks) % g.mTasks
	bi := t / (g.nTasks * g.mTasks)
	i0, j0 := iTask*g.mc, jTask*g.nc
	mc, nc := min(g.mc, g.m-i0), min(g.nc, g.n-j0)
	aBase, bBase := g.a.batch[bi], g.b.batch[bi]
	outBase := bi * g.m * g.n
	ldc := g.n
	for p0 := 0; p0 < g.k; p0 += kcBlock {
		kc := min(kcBlock, g.k-p0)
		accumulate := 0
		if p0 > 0 {
			accumulate = 1
		}
		packB(s.b, &g.b, bBase, p0, kc, j0, nc, nr)
		packA(s.a, &g.a, aBase, i0, mc, p0, kc, mr)
		for jp := 0; jp < nc; jp += nr {
			bPanel := s.b[(jp/nr)*kc*nr:]
			cols := min(nr, nc-jp)
			for ip := 0; ip < mc; ip += mr {
				aPanel := s.a[(ip/mr)*kc*mr:]
				rows := min(mr, mc-ip)
				if rows == mr && cols == nr {
					kern.run(kc, &aPanel[0], &bPanel[0], &g.out[outBase+(i0+ip)*ldc+j0+jp], ldc, accumulate)
					continue
				}
				// Edge tile: compute the whole MR×NR tile into scratch and
				// add (or copy) its valid part.
				kern.run(kc, &aPanel[0], &bPanel[0], &s.tile[0], nr, 0)
				dst := g.out[outBase+(i0+ip)*ldc+j0+jp:]
				for r := range rows {
					row := dst[r*ldc : r*ldc+cols]
					tile := s.tile[r*nr : r*nr+cols]
					if accumulate == 0 {
						copy(row, tile)
					} else {
						for c, v := range tile {
							row[c] += v
						}
					}
				}
			}
		}
	}
}

// packA copies rows [i0, i0+mc) × contracted [p0, p0+kc) of a batch element
// (at offset base) into MR-row micro-panels: panel q holds rows
// i0+q·MR … i0+q·MR+MR-1 as kc consecutive groups of MR floats, rows past mc
// zero-filled.
func packA(dst []float32, a *matrices, base, i0, mc, p0, kc, mr int) {
	for ip := 0; ip < mc; ip += mr {
		packPanel(dst[(ip/mr)*kc*mr:(ip/mr+1)*kc*mr], a.data, base,
			a.rows[i0+ip:i0+min(ip+mr, mc)], a.rowStride, a.cols[p0:p0+kc], a.colStride, mr)
	}
}

// packB copies contracted [p0, p0+kc) × columns [j0, j0+nc) of a batch element
// (at offset base) into NR-column micro-panels: panel q holds columns
// j0+q·NR … j0+q·NR+NR-1 as kc consecutive groups of NR floats, columns past
// nc zero-filled.
func packB(dst []float32, b *matrices, base, p0, kc, j0, nc, nr int) {
	for jp := 0; jp < nc; jp += nr {
		packPanel(dst[(jp/nr)*kc*nr:(jp/nr+1)*kc*nr], b.data, base,
			b.cols[j0+jp:j0+min(jp+nr, nc)], b.colStride, b.rows[p0:p0+kc], b.rowStride, nr)
	}
}

// packPanel writes one micro-panel: for every step p of the contracted axis,
// width floats, lane l being data[base + lanes[l] + steps[p]], lanes past
// len(lanes) zero. laneStride and stepStride are the axes' strides when
// arithmetic (see matrices), which select a copy along whichever is
// contiguous.
func packPanel(panel, data []float32, base int, lanes []int, laneStride int, steps []int, stepStride, width int) {
	n := len(lanes)
	switch {
	case laneStride == 1:
		// Lanes contiguous: one copy per step.
		for p, off := range steps {
			start := base + lanes[0] + off
			row := panel[p*width : p*width+width]
			src := data[start : start+n]
			if n >= 16 {
				copy(row, src)
			} else {
				for i, v := range src { // short runs: a loop beats copy's call
					row[i] = v
				}
			}
			clear(row[n:])
		}
		return
	case stepStride == 1:
		// Steps contiguous: read each lane as a run, write it every width floats.
		k := len(steps)
		for l, laneOff := range lanes {
			start := base + laneOff + steps[0]
			scatterStrided(panel[l:], data[start:start+k], width)
		}
	default:
		for l, laneOff := range lanes {
			for p, off := range steps {
				panel[p*width+l] = data[base+laneOff+off]
			}
		}
	}
	if n < width {
		for p := range steps {
			clear(panel[p*width+n : p*width+width])
		}
	}
}

// scatterStrided writes src[i] to dst[i·stride].
func scatterStrided(dst, src []float32, stride int) {
	if len(src) == 0 {
		return
	}
	_ = dst[(len(src)-1)*stride] // one bounds check for the loop below
	d := unsafe.Pointer(&dst[0])
	for _, v := range src {
		*(*float32)(d) = v
		d = unsafe.Add(d, 4*stride)
	}
}

// scratch is one worker's packing space; scratches live in per-kernel pools,
// never in shared globals.
type scratch struct {
	a, b, tile []float32
}

func (kern *microKernel) getScratch() *scratch {
	if s, ok := kern.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		a:    make([]float32, mcBlock*kcBlock),
		b:    make([]float32, ncBlock*kcBlock),
		tile: make([]float32, kern.mr*kern.nr),
	}
}

func (kern *microKernel) putScratch(s *scratch) { kern.scratch.Put(s) }

// Workers is the number of goroutines one product is split over: the CPUs
// the Go runtime may use at once.
func Workers() int { return runtime.GOMAXPROCS(0) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
