// Rate limiter: a fixed window counter per client, INCR + EXPIRE in one MULTI/EXEC.
package main

import (
	"fmt"
	"log"
	"os"
	"time"

	"diskdb.dev/client"
)

func addr() string {
	if a := os.Getenv("DISKDB_ADDR"); a != "" {
		return a
	}
	return "localhost:6380"
}

// allow counts one request of user in the given minute and tells whether it is
// within limit.
func allow(db *client.DB, user string, window, limit int64) (bool, error) {
	key := fmt.Sprintf("rate:%s:%d", user, window)
	res, err := db.TxPipelined(func(p *client.Pipeline) error {
		p.Incr(key)
		p.Expire(key, 2*time.Minute)
		return nil
	})
	if err != nil {
		return false, err
	}
	return res[0].(int64) <= limit, nil
}

func main() {
	db, err := client.Connect(addr())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	allowed, refused := 0, 0
	window := time.Now().Unix() / 60 // one window for the demo's burst
	db.Del(fmt.Sprintf("rate:alice:%d", window))
	for i := 0; i < 15; i++ {
		ok, err := allow(db, "alice", window, 10)
		if err != nil {
			log.Fatal(err)
		}
		if ok {
			allowed++
		} else {
			refused++
		}
	}
	fmt.Printf("allowed=%d refused=%d\n", allowed, refused)
}
