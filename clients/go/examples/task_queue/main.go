// Task queue: producers LPUSH, workers BRPOP; results counted in a hash.
package main

import (
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"diskdb.dev/client"
)

func addr() string {
	if a := os.Getenv("DISKDB_ADDR"); a != "" {
		return a
	}
	return "localhost:6380"
}

func main() {
	db, err := client.Connect(addr())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.Del("queue:jobs", "queue:done")

	const jobs = 20
	for i := 0; i < jobs; i++ {
		if _, err := db.LPush("queue:jobs", fmt.Sprintf("job-%d", i)); err != nil {
			log.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				kv, err := db.BRPop(200*time.Millisecond, "queue:jobs")
				if err == client.ErrNil {
					return // queue drained
				}
				if err != nil {
					log.Fatal(err)
				}
				db.HIncrBy("queue:done", fmt.Sprintf("worker-%d", w), 1)
				_ = kv[1]
			}
		}(w)
	}
	wg.Wait()
	done, _ := db.HVals("queue:done")
	total := 0
	for _, v := range done {
		var n int
		fmt.Sscan(v, &n)
		total += n
	}
	left, _ := db.LLen("queue:jobs")
	// The drain loop the product shows: while a job is there, take it.
	db.LPush("queue:jobs", "late-1", "late-2")
	drained := 0
	for {
		if _, err := db.RPop("queue:jobs"); err == client.ErrNil {
			break
		} else if err != nil {
			log.Fatal(err)
		}
		drained++
	}
	fmt.Printf("processed=%d left=%d drained=%d\n", total, left, drained)
}
