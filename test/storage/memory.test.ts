import { createStore } from '@polytoken/core'
import { describeStoreCompliance } from '@polytoken/store-test-suite'

describeStoreCompliance({ name: 'memory://', create: () => createStore('memory://') })
